/*
 * log: error and access logs, OpenBSD style. log_warn adds strerror(errno);
 * fatal/fatalx exit and are for start-up and impossible states only.
 */
#ifndef CAPSULED_LOG_H
#define CAPSULED_LOG_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

enum log_format { LOG_PLAIN, LOG_COMMON, LOG_JSON };

/* Opens path for appending (NULL: stderr). Returns 0 or -1 with errno. */
int log_open(const char *path);
/*
 * Reopens the file log_open opened (SIGUSR1, for logrotate), through the
 * folder opened then, so a chrooted process can do it too.
 */
int log_reopen(void);
/* A log file root creates on reopening is given to this user. */
void log_set_owner(uid_t uid, gid_t gid);
void log_set_format(enum log_format f);
/* 0: client addresses are logged as "-". */
void log_set_ip(int on);
/* Access lines lost to a failing log destination so far. */
unsigned long long log_dropped(void);
void log_set_verbosity(int quiet, int debug);
/* Prefix for error lines, e.g. "worker 2"; NULL for none. */
void log_set_name(const char *name);
void log_flush(void);

void log_warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_info(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* Like log_info, but printed even with --quiet (e.g. "listening on"). */
void log_notice(const char *fmt, ...) ATTR_PRINTF(1, 2);
void log_debug(const char *fmt, ...) ATTR_PRINTF(1, 2);
void fatal(const char *fmt, ...) ATTR_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) ATTR_PRINTF(1, 2) __attribute__((noreturn));
/* Logs every queued OpenSSL error, after msg, and clears the queue. */
void log_ssl(const char *msg);

/* One access line. Request text is escaped (controls as \xNN). */
void log_access(const char *client, const char *host, const char *req,
    size_t reqlen, int status, unsigned long long bytes, double ms);
/* Appends s[0..len) to out-of-band escaped form into dst (size n). */
void log_escape(char *dst, size_t n, const char *s, size_t len);

#endif
