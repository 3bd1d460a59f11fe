/*
 * snow/comm.h — typed message passing between the processes of a group, for
 * migratable C programs (docs/communication.md).
 *
 * A group of N processes is started together (`snow run -n N program …`);
 * each has a rank 0..N-1. Messages travel over FIFO channels (TCP) opened on
 * first use through the scheduler's location directory, and keep flowing
 * while any process of the group migrates (docs/migration-protocol.md): no
 * message is lost, duplicated or reordered, and no sender waits for a peer.
 * Data is converted on receipt when sender and receiver differ in byte order
 * or in the size of a type (a `long` from an LP64 host to an ILP32 one).
 *
 * Ordering: messages from one sender to one receiver are received in the
 * order sent (per matching source and tag, as in MPI).
 *
 * Errors: a call that cannot be carried out — a rank outside the group, a
 * receive buffer too small for the message, a type that does not match the
 * sender's — prints a message naming the problem and ends the process with
 * status 70. There is nothing a program could do to recover.
 *
 * Migration: a poll-point reached while a non-blocking receive is still
 * outstanding does not migrate; the request is served at the next
 * poll-point with none outstanding. Non-blocking sends complete at once
 * (the library copies the data), so they never hold a migration back.
 *
 * Outside a group (no `snow run -n`) a program is rank 0 of a group of 1
 * and may send to itself.
 */
#ifndef SNOW_COMM_H
#define SNOW_COMM_H

#ifdef __cplusplus
extern "C" {
#endif

/* The element types a message may carry. */
typedef enum snow_datatype {
  SNOW_CHAR = 1,
  SNOW_SIGNED_CHAR,
  SNOW_UNSIGNED_CHAR,
  SNOW_SHORT,
  SNOW_UNSIGNED_SHORT,
  SNOW_INT,
  SNOW_UNSIGNED,
  SNOW_LONG,
  SNOW_UNSIGNED_LONG,
  SNOW_LONG_LONG,
  SNOW_UNSIGNED_LONG_LONG,
  SNOW_FLOAT,
  SNOW_DOUBLE,
  SNOW_BYTE /* raw bytes, never converted */
} snow_datatype;

/* Reduction operators. */
typedef enum snow_op { SNOW_SUM = 1, SNOW_PROD, SNOW_MAX, SNOW_MIN } snow_op;

#define SNOW_ANY_SOURCE (-1)
#define SNOW_ANY_TAG (-1)
/* Tags of user messages are 0..SNOW_TAG_MAX; larger ones belong to collectives. */
#define SNOW_TAG_MAX 0x3fffffff

/* What a receive got: its sender, tag and element count. */
typedef struct snow_status {
  int source;
  int tag;
  int count;
} snow_status;

/* A non-blocking operation; 0 is "no request" (also what snow_wait leaves). */
typedef int snow_request;
#define SNOW_REQUEST_NULL 0

int snow_comm_rank(void);
int snow_comm_size(void);
/* Seconds on a clock that only goes forward, for timing. */
double snow_wtime(void);

/* Blocking point-to-point. snow_send returns once the data is copied; it
 * never waits for the receiver. snow_recv waits for a matching message;
 * `status` may be NULL. */
void snow_send(const void *buf, int count, snow_datatype type, int dest, int tag);
void snow_recv(void *buf, int count, snow_datatype type, int source, int tag, snow_status *status);

/* Non-blocking forms and their completion. */
void snow_isend(const void *buf, int count, snow_datatype type, int dest, int tag, snow_request *request);
void snow_irecv(void *buf, int count, snow_datatype type, int source, int tag, snow_request *request);
void snow_wait(snow_request *request, snow_status *status);
void snow_waitall(int n, snow_request *requests, snow_status *statuses);
/* *flag = 1 and the request completes if it can without waiting. */
void snow_test(snow_request *request, int *flag, snow_status *status);
/* Is a matching message there? Does not receive it. */
void snow_iprobe(int source, int tag, int *flag, snow_status *status);
void snow_probe(int source, int tag, snow_status *status);

/* Collectives: every process of the group calls them in the same order.
 * Reductions combine in rank order, so results do not depend on timing. */
void snow_barrier(void);
void snow_bcast(void *buf, int count, snow_datatype type, int root);
void snow_reduce(const void *send, void *recv, int count, snow_datatype type, snow_op op, int root);
void snow_allreduce(const void *send, void *recv, int count, snow_datatype type, snow_op op);

#ifdef __cplusplus
}
#endif
#endif
