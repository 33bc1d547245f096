/*
 * chan: a change channel, one end of a SOCK_SEQPACKET socketpair that
 * carries pathbatch messages (pathbatch.h) to a process that applies
 * them: master to a generation's zygote, zygote to each worker. The
 * sender never waits: a message that does not fit is dropped and, once
 * there is room again, the receiver is told to rescan everything, which
 * covers whatever it missed.
 */
#ifndef CAPSULED_CHAN_H
#define CAPSULED_CHAN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

struct chan {
	int fd;	       /* -1: closed */
	ev_io room;    /* waits for room after a full channel */
	int behind;    /* messages dropped: owes "rescan all" */
	size_t nhosts; /* vhosts of the receiver's generation */
	char name[48]; /* for the log: "worker 3 (pid 1234)" */
};

/* Takes fd (non-blocking); nhosts: how many "rescan all" make one. */
void chan_init(struct chan *c, int fd, size_t nhosts, const char *name);

/* Sends msg whole; 0, or -1 when the channel is full (or gone). */
int chan_send(struct chan *c, const char *msg, size_t len);

/* "Rescan everything" for each vhost; 0 when all of them went. */
int chan_send_full(struct chan *c);

/* Sends msg, or falls behind (a full rescan follows once there is room). */
void chan_post(struct chan *c, const char *msg, size_t len);

/* Falls behind: a full rescan is sent once there is room. */
void chan_behind(struct chan *c);

void chan_close(struct chan *c);

/*
 * fork() with a new channel to the child (SOCK_SEQPACKET: a message
 * arrives whole or not at all), and SIGTERM, SIGINT and SIGUSR1 blocked
 * across it: the parent's mask is back on return, the child sets its own
 * once its handlers are in place (old: the mask before). Returns the
 * child's pid with the parent's end in *fd, 0 in the child with its end
 * in *fd, or -1 (logged).
 */
pid_t chan_fork(int *fd, sigset_t *old);

/*
 * Reads every message waiting on fd, each passed to apply. 0 when none
 * is left for now; -1 when the channel ended (the other side closed it,
 * or an error, logged).
 */
int chan_drain(int fd, void (*apply)(void *, const char *, size_t), void *arg);

#endif
