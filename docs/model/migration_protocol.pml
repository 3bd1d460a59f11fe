/*
 * The migration protocol of SnowMigrate's message channels (docs/migration-protocol.md),
 * checked with spin: N processes send every other process M numbered messages
 * while each of them may migrate up to MIG times, at any moment, concurrently
 * with the others.
 *
 * Checked: every message is received exactly once and in order per channel
 * (the assertion on sequence numbers), none is lost and nothing deadlocks
 * (a process waiting for a message that never comes is an invalid end state),
 * and a migrating process's drain always ends.
 *
 * What the model abstracts (and the implementation must provide):
 *   - a connection is a FIFO channel per direction; a peer's successive
 *     connections to one receiver are read in the order they were opened
 *     (two channels per pair, alternated: data[pair*2 + parity]);
 *   - sends never block: channels hold every message of a run (the library
 *     queues sends it cannot write yet);
 *   - each process answers control messages (DISC) at once, whatever its
 *     program is doing (the library's service thread): proctype Service;
 *   - the location directory: inc[] and migrating[] (the scheduler).
 *
 * Run: spin -a migration_protocol.pml && cc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 */
#ifndef N
#define N 3
#endif
#ifndef M
#define M 2
#endif
#ifndef MIG
#define MIG 1
#endif
#define CAP (M + 2 * MIG)  /* every message of a pair, and a marker per migration of either end */
#define PAIR(s, d) ((s) * N + (d))

mtype = { MSG, MARKER, DISC };

chan data[N * N * 2] = [CAP] of { mtype, byte };   /* (kind, sequence number) */
chan ctl[N] = [N * MIG] of { mtype, byte }; /* (DISC, from whom) */

byte inc[N];                 /* the location directory: incarnation of each process */
bool migrating[N];
bool conn[N * N];            /* sender side: s has an open connection to d */
bit wpar[N * N];             /* sender side: parity of the connection s writes to */
bit rpar[N * N];             /* receiver side: parity of the connection d reads from */
byte inbound[N * N];         /* receiver side: connections from s that d has not read to their marker */
byte sent[N * N];
byte expected[N * N];        /* receiver side: next sequence number from s */
byte finished;
byte redirects;             /* connects refused by a process that had begun migrating */

/* d takes the next item from s's oldest open connection: a message is
   delivered (or kept as unconsumed state when d is migrating: same order),
   a marker closes that connection and d goes on to the next one. */
inline take(s, d) {
  if
  :: data[PAIR(s, d) * 2 + rpar[PAIR(s, d)]]?MSG, seq ->
       assert(seq == expected[PAIR(s, d)]);   /* no loss before it, no duplicate, FIFO */
       expected[PAIR(s, d)]++
  :: data[PAIR(s, d) * 2 + rpar[PAIR(s, d)]]?MARKER, seq ->
       rpar[PAIR(s, d)] = 1 - rpar[PAIR(s, d)];
       inbound[PAIR(s, d)]--
  fi
}

/* i has sent all it sends and received all it receives (N = 2 or 3). */
#if N == 2
#define all_done(i) (sent[PAIR(i, 1 - i)] == M && expected[PAIR(1 - i, i)] == M)
#else
#define all_done(i) (sent[PAIR(i, (i + 1) % N)] == M && sent[PAIR(i, (i + 2) % N)] == M && \
                     expected[PAIR((i + 1) % N, i)] == M && expected[PAIR((i + 2) % N, i)] == M)
#endif

/* s closes its connection to d: the marker follows everything it sent on it. */
inline close_conn(s, d) {
  data[PAIR(s, d) * 2 + wpar[PAIR(s, d)]]!MARKER, 0;
  wpar[PAIR(s, d)] = 1 - wpar[PAIR(s, d)];
  conn[PAIR(s, d)] = false
}

/* Answers DISC at once, whatever its process is doing. */
proctype Service(byte i) {
  byte from;
end:
  do
  :: ctl[i]?DISC, from ->
       atomic {
         if
         :: conn[PAIR(i, from)] -> close_conn(i, from)
         :: else -> skip   /* already closed: its marker is on the way */
         fi
       }
  od
}

/* A connect reaches the process it looked up only if that one has not begun
   migrating since; the mutant connects to whatever it looked up. */
#ifndef BUG_NO_REDIRECT
#define REDIRECT_CHECK(d) (!migrating[d] && inc[d] == seen)
#else
#define REDIRECT_CHECK(d) (true)
#endif

/* i sends its next message to d, connecting first if it has no connection:
   it looks the location up (waiting while d migrates) and connects; a
   connection to a process that has begun migrating meanwhile is refused and
   redirected to a new look-up. */
#define SEND(d) \
  :: d != i && sent[PAIR(i, d)] < M -> \
       if \
       :: conn[PAIR(i, d)] -> skip \
       :: else -> \
            do \
            :: (!migrating[d]) -> \
                 seen = inc[d]; \
                 atomic { \
                   if \
                   :: REDIRECT_CHECK(d) -> \
                        conn[PAIR(i, d)] = true; inbound[PAIR(i, d)]++; break \
                   :: else -> redirects++ \
                   fi \
                 } \
            od \
       fi; \
       atomic { \
         if \
         :: conn[PAIR(i, d)] -> \
              data[PAIR(i, d) * 2 + wpar[PAIR(i, d)]]!MSG, sent[PAIR(i, d)]; \
              sent[PAIR(i, d)]++ \
         :: else -> skip /* closed by a DISC in between: the next round reconnects */ \
         fi \
       }

/* i receives whatever is next from s. */
#define RECEIVE(s) \
  :: atomic { s != i && inbound[PAIR(s, i)] > 0 && nempty(data[PAIR(s, i) * 2 + rpar[PAIR(s, i)]]) -> \
       take(s, i) }

proctype Process(byte i) {
  byte d, s, seq, seen, migrations = 0;
  do
  SEND(0)
  SEND(1)
#if N > 2
  SEND(2)
#endif
  RECEIVE(0)
  RECEIVE(1)
#if N > 2
  RECEIVE(2)
#endif
  /* migrate */
  :: migrations < MIG ->
       atomic {
         migrating[i] = true;   /* look-ups of i wait from now on; connects are refused */
         /* outgoing connections end with a marker; the next ones go from the
            new location */
         d = 0;
         do
         :: d < N ->
              if :: d != i && conn[PAIR(i, d)] -> close_conn(i, d) :: else -> skip fi;
              d++
         :: else -> break
         od;
         /* every connected peer is asked to end its connection with a marker */
         s = 0;
         do
         :: s < N ->
              if
              :: s != i && inbound[PAIR(s, i)] > 0 -> ctl[s]!DISC, i
              :: !(s != i && inbound[PAIR(s, i)] > 0) -> skip
              fi;
              s++
         :: else -> break
         od
       };
       /* drain: what is in transit up to each marker travels with the state */
#ifndef BUG_SKIP_DRAIN
       s = 0;
       do
       :: s < N ->
            do
            :: s != i && inbound[PAIR(s, i)] > 0 -> atomic { take(s, i) }
            :: !(s != i && inbound[PAIR(s, i)] > 0) -> break
            od;
            s++
       :: else -> break
       od;
#else
       /* mutant: what is in transit is dropped with the old location */
       s = 0;
       do
       :: s < N ->
            do
            :: s != i && inbound[PAIR(s, i)] > 0 ->
                 atomic { rpar[PAIR(s, i)] = 1 - rpar[PAIR(s, i)]; inbound[PAIR(s, i)]-- }
            :: !(s != i && inbound[PAIR(s, i)] > 0) -> break
            od;
            s++
       :: else -> break
       od;
#endif
       /* the new location is registered: waiting senders connect there */
       atomic { inc[i]++; migrating[i] = false };
       migrations++
  /* done: everything sent and everything received */
  :: atomic { all_done(i) -> finished++ };
     break
  od
}

init {
  byte i;
  atomic {
    i = 0;
    do
    :: i < N -> run Service(i); run Process(i); i++
    :: else -> break
    od
  };
  /* Every process ends with everything sent and received; one that waits
     for ever is an invalid end state, which is how a lost message shows. */
  (finished == N)
}

