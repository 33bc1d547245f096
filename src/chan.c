/*
 * chan: change channels between the master, a generation's zygote and
 * its workers (see chan.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "pathbatch.h"

#define CHAN_BUF 65536 /* bytes of changes queued for a receiver */

static void chan_room_cb(struct ev_loop *loop, ev_io *io, int revents);

void
chan_init(struct chan *c, int fd, size_t nhosts, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->nhosts = nhosts;
	snprintf(c->name, sizeof(c->name), "%s", name);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ CHAN_BUF }, sizeof(int));
	ev_io_init(&c->room, chan_room_cb, fd, EV_WRITE);
}

int
chan_send(struct chan *c, const char *msg, size_t len)
{
	if (c->fd == -1)
		return -1;
	while (send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != ENOBUFS)
			log_warn("%s: change channel", c->name);
		return -1;
	}
	return 0;
}

int
chan_send_full(struct chan *c)
{
	struct pathbatch full = { 0 };
	size_t i, len;
	char *msg;
	int rc = 0;

	pathbatch_set_full(&full);
	for (i = 0; rc == 0 && i < c->nhosts; i++) {
		msg = pathbatch_encode(&full, (uint32_t)i, &len);
		rc = chan_send(c, msg, len);
		free(msg);
	}
	pathbatch_free(&full);
	return rc;
}

void
chan_behind(struct chan *c)
{
	if (c->behind || c->fd == -1)
		return;
	c->behind = 1;
	ev_io_start(EV_DEFAULT, &c->room);
}

void
chan_post(struct chan *c, const char *msg, size_t len)
{
	if (c->behind || c->fd == -1)
		return;
	if (chan_send(c, msg, len) == -1)
		chan_behind(c);
}

static void
chan_room_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct chan *c =
	    (struct chan *)(void *)((char *)io - offsetof(struct chan, room));

	(void)revents;
	if (chan_send_full(c) == -1)
		return; /* still full: wait for more room */
	c->behind = 0;
	ev_io_stop(loop, io);
}

void
chan_close(struct chan *c)
{
	if (c->fd == -1)
		return;
	ev_io_stop(EV_DEFAULT, &c->room);
	close(c->fd);
	c->fd = -1;
}

pid_t
chan_fork(int *fd, sigset_t *old)
{
	sigset_t set;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		0, sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	log_flush();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, old);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		close(sv[0]);
		close(sv[1]);
	} else {
		close(sv[pid == 0 ? 0 : 1]);
		*fd = sv[pid == 0 ? 1 : 0];
	}
	if (pid != 0)
		sigprocmask(SIG_SETMASK, old, NULL);
	return pid;
}

int
chan_drain(int fd, void (*apply)(void *, const char *, size_t), void *arg)
{
	static char msg[PATHBATCH_HEADER + PATHBATCH_MAX_BYTES];
	ssize_t n;

	for (;;) {
		n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT);
		if (n > 0) {
			apply(arg, msg, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			log_warn("change channel");
		return -1;
	}
}
