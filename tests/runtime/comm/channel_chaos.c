/*
 * channel_chaos: a message-passing program that checks every message it
 * receives, for the migration tests of the message channels.
 *
 *   channel_chaos <rounds> [work] [timing]
 *
 * Each round (one poll-point) every rank
 *   - sends to its right neighbour and receives from its left (tag 1),
 *   - exchanges with its partner rank^1 ping-pong style (tag 3),
 *   - every third round sends to every other rank and receives from any (tag 2),
 *   - sends its right neighbour a block of doubles of varying size, received
 *     through a non-blocking receive (tag 4),
 * and computes for `work` iterations in between. Every message carries the
 * sender's rank and a sequence number per (sender, receiver, tag); a
 * receiver that sees a message out of order, twice, or with a wrong payload
 * says so and exits 3. Rank 0 prints the number of messages and a checksum
 * that do not depend on timing, so a migrated run's output equals an
 * unmigrated one's byte for byte. With `timing` = 1 each rank also reports on
 * stderr the longest time one of its sends took (bench/channel_migration.py:
 * a send must never wait for a migrating receiver).
 */
#include <snow/comm.h>

#include <stdio.h>
#include <stdlib.h>

#define MAX_RANKS 64
#define TAGS 5
#define MAX_BLOCK 2048

static long sent_seq[MAX_RANKS][TAGS];
static long expected_seq[MAX_RANKS][TAGS];
static long received_count;
static double checksum;
static double block[MAX_BLOCK];
static double incoming[MAX_BLOCK];
static double longest_send;
static long sends;

static void timed_send(const void *buffer, int count, snow_datatype type, int to, int tag) {
  double started = snow_wtime();
  double took;
  snow_send(buffer, count, type, to, tag);
  took = snow_wtime() - started;
  if (took > longest_send) longest_send = took;
  sends++;
}

static void send_checked(int to, int tag, int rank) {
  long message[3];
  message[0] = rank;
  message[1] = sent_seq[to][tag]++;
  message[2] = message[1] * 7919L + tag * 104729L + rank;
  timed_send(message, 3, SNOW_LONG, to, tag);
}

static void check(int rank, int from, int tag, long who, long seq, long mark) {
  if (who != from || seq != expected_seq[from][tag] || mark != seq * 7919L + tag * 104729L + from) {
    printf("rank %d: message %ld from rank %d (tag %d) arrived when %ld was expected (sender field %ld)\n", rank, seq,
           from, tag, expected_seq[from][tag], who);
    exit(3);
  }
  expected_seq[from][tag]++;
  received_count++;
  checksum += (double)(seq % 1000) * (from + 1) + tag;
}

static void receive_checked(int rank, int from, int tag) {
  long message[3];
  snow_status status;
  snow_recv(message, 3, SNOW_LONG, from, tag, &status);
  if (status.count != 3 || status.tag != tag) {
    printf("rank %d: a receive for tag %d got %d elements with tag %d\n", rank, tag, status.count, status.tag);
    exit(3);
  }
  check(rank, status.source, tag, message[0], message[1], message[2]);
}

static double compute(long work, int round) {
  double x = round;
  long i;
  for (i = 0; i < work; ++i) x = x * 0.999999 + 1.0 / (double)(i + 1);
  return x;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 100;
  long work = argc > 2 ? atol(argv[2]) : 20000;
  int timing = argc > 3 ? atoi(argv[3]) : 0;
  int rank = snow_comm_rank();
  int size = snow_comm_size();
  int right = (rank + 1) % size;
  int left = (rank + size - 1) % size;
  int partner = rank ^ 1;
  int round;
  double sink = 0;
  if (size > MAX_RANKS) {
    printf("at most %d ranks\n", MAX_RANKS);
    return 2;
  }
  for (round = 0; round < rounds; ++round) {
#pragma snow poll
    int k;
    int n = 1 + (round * 37 + rank * 11) % MAX_BLOCK;
    snow_request request;
    snow_status status;
    snow_irecv(incoming, MAX_BLOCK, SNOW_DOUBLE, left, 4, &request);
    for (k = 0; k < n; ++k) block[k] = round * 1000.0 + rank + k * 0.5;
    timed_send(block, n, SNOW_DOUBLE, right, 4);
    send_checked(right, 1, rank);
    receive_checked(rank, left, 1);
    if (partner < size) {
      if (rank % 2 == 0) {
        send_checked(partner, 3, rank);
        receive_checked(rank, partner, 3);
      } else {
        receive_checked(rank, partner, 3);
        send_checked(partner, 3, rank);
      }
    }
    if (round % 3 == 0) {
      int other;
      for (other = 0; other < size; ++other)
        if (other != rank) send_checked(other, 2, rank);
      for (other = 0; other < size - 1; ++other) receive_checked(rank, SNOW_ANY_SOURCE, 2);
    }
    sink += compute(work, round);
    snow_wait(&request, &status);
    {
      int m = 1 + (round * 37 + left * 11) % MAX_BLOCK;
      if (status.count != m || status.source != left) {
        printf("rank %d: round %d's block from rank %d has %d elements, not %d\n", rank, round, status.source,
               status.count, m);
        exit(3);
      }
      for (k = 0; k < m; ++k)
        if (incoming[k] != round * 1000.0 + left + k * 0.5) {
          printf("rank %d: round %d's block from rank %d is corrupt at element %d\n", rank, round, left, k);
          exit(3);
        }
      received_count++;
      checksum += m;
    }
  }
  {
    double totals[2], sums[2];
    totals[0] = (double)received_count;
    totals[1] = checksum;
    snow_allreduce(totals, sums, 2, SNOW_DOUBLE, SNOW_SUM);
    if (rank == 0)
      printf("%d ranks, %d rounds: %.0f messages received in order, checksum %.1f\n", size, rounds, sums[0], sums[1]);
  }
  if (timing) fprintf(stderr, "rank %d: longest send %.1f us of %ld\n", rank, longest_send * 1e6, sends);
  if (sink == 12345.678) printf("unlikely\n"); /* keeps the work */
  return 0;
}
