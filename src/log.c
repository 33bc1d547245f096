/*
 * log: error and access logs. Lines go to one stream (stderr or a file
 * opened for append); access lines are fully buffered and flushed by the
 * event loop after each batch, so a request costs no write(2) of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"
#include "utf8.h"

static FILE *log_fp;
static char *log_path;
/*
 * The log's folder, opened at start: a worker reopens the file through
 * it, which also works under chroot, where the path names nothing.
 */
static int log_dirfd = -1;
static const char *log_base; /* in log_path */
static uid_t log_uid = (uid_t)-1;
static gid_t log_gid = (gid_t)-1;
static int log_quiet, log_debugging, log_ip = 1;
static enum log_format log_fmt = LOG_PLAIN;
static const char *log_name;
static unsigned long long log_lost, log_lost_reported;

static FILE *
stream(void)
{
	return log_fp ? log_fp : stderr;
}

int
log_open(const char *path)
{
	FILE *fp;

	if (path == NULL || strcmp(path, "-") == 0) {
		static char errbuf[1 << 16];

		if (log_fp && log_fp != stderr)
			fclose(log_fp);
		log_fp = NULL;
		/* Access lines are flushed by the event loop, not per line. */
		setvbuf(stderr, errbuf, _IOFBF, sizeof(errbuf));
		return 0;
	}
	if ((fp = fopen(path, "ae")) == NULL)
		return -1;
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	log_fp = fp;
	if (log_path != path) {
		char *dir;
		const char *slash;

		free(log_path);
		log_path = strdup(path);
		if (log_dirfd != -1)
			close(log_dirfd);
		slash = log_path ? strrchr(log_path, '/') : NULL;
		log_base = slash ? slash + 1 : log_path;
		dir = slash == log_path ? strdup("/") :
		    slash ? strndup(log_path, (size_t)(slash - log_path)) :
			    strdup(".");
		log_dirfd =
		    dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
		free(dir);
	}
	return 0;
}

void
log_set_owner(uid_t uid, gid_t gid)
{
	log_uid = uid;
	log_gid = gid;
}

int
log_reopen(void)
{
	FILE *fp;
	int fd;

	if (log_path == NULL)
		return 0;
	fflush(stream());
	fd = log_dirfd != -1 ?
	    openat(log_dirfd, log_base,
		O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640) :
	    open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1 || (fp = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		log_warn("reopening %s (still writing to the old file)",
		    log_path);
		return -1;
	}
	/* Made by root (the master): the workers, once dropped, write it too. */
	if (log_uid != (uid_t)-1 && geteuid() == 0 &&
	    fchown(fd, log_uid, log_gid) == -1)
		log_warn("%s: chown", log_path);
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	log_fp = fp;
	return 0;
}

void
log_set_format(enum log_format f)
{
	log_fmt = f;
}

void
log_set_ip(int on)
{
	log_ip = on;
}

unsigned long long
log_dropped(void)
{
	return log_lost;
}

void
log_set_verbosity(int quiet, int debug)
{
	log_quiet = quiet;
	log_debugging = debug;
}

void
log_set_name(const char *name)
{
	log_name = name;
}

void
log_flush(void)
{
	FILE *fp = stream();

	if (fflush(fp) == EOF) {
		/* Full disk, gone pipe: count it, keep serving. */
		log_lost++;
		clearerr(fp);
		return;
	}
	if (log_lost != log_lost_reported) {
		log_lost_reported = log_lost;
		fprintf(fp,
		    "warning: log writes failed %llu times; lines were "
		    "dropped\n",
		    log_lost);
	}
}

/* fmt of the current second, formatted once per second, not per line. */
static void
timestamp_fmt(char *dst, size_t n, int common)
{
	static time_t last[2] = { -1, -1 };
	static char cache[2][40];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	if (ts.tv_sec != last[common]) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(cache[common], sizeof(cache[common]),
		    common ? "%d/%b/%Y:%H:%M:%S +0000" : "%Y-%m-%dT%H:%M:%SZ",
		    &tm);
		last[common] = ts.tv_sec;
	}
	snprintf(dst, n, "%s", cache[common]);
}

static void
timestamp(char *dst, size_t n)
{
	timestamp_fmt(dst, n, 0);
}

static void
vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	char ts[32];
	FILE *fp = stream();

	timestamp(ts, sizeof(ts));
	fprintf(fp, "%s %s%s%s: ", ts, log_name ? log_name : "",
	    log_name ? " " : "", level);
	vfprintf(fp, fmt, ap);
	if (suffix)
		fprintf(fp, ": %s", suffix);
	fputc('\n', fp);
	fflush(fp);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog("warning", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vlog("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap, NULL);
	va_end(ap);
	/* Scripts wait for these lines on stderr, wherever the log goes. */
	if (log_fp != NULL) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		fflush(stderr);
	}
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	vlog("debug", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
log_ssl(const char *msg)
{
	unsigned long e;
	char err[256];
	int any = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, err, sizeof(err));
		log_warnx("%s: %s", msg, err);
		any = 1;
	}
	if (!any)
		log_warnx("%s", msg);
}

/*
 * The length of the UTF-8 character at s (at most n bytes) when it is
 * valid and harmless on a terminal, else 0: C1 controls and the
 * invisible and direction-changing marks (bidi overrides and isolates,
 * zero-width characters, line separators, BOM) count as harmful.
 */
static size_t
printable_utf8(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	if (len < 2)
		return 0;
	if (cp <= 0x9f || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	    (cp >= 0xe0000 && cp <= 0xe007f))
		return 0;
	return len;
}

void
log_escape(char *dst, size_t n, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, k;

	if (n == 0)
		return;
	for (i = 0; i < len && o + 5 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 &&
		    (k = printable_utf8((const unsigned char *)s + i,
			 len - i)) > 0) {
			if (o + k + 5 >= n)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k - 1;
		} else if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"') {
			/* Bytes, as they came: invalid UTF-8 included. */
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
	}
	if (i < len && o + 4 < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* JSON string contents: quotes, backslashes and controls escaped. */
static void
json_escape(char *dst, size_t n, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len && o + 7 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f || c >= 0x80) {
			/* Bytes, not characters: the request may not be UTF-8. */
			memcpy(dst + o, "\\u00", 4);
			o += 4;
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

void
log_access(const char *client, const char *host, const char *req, size_t reqlen,
    int status, unsigned long long bytes, double ms)
{
	char ts[40], esc[6 * 1024 + 8], hesc[6 * 256 + 8];
	FILE *fp = stream();
	int rc;

	if (log_quiet)
		return;
	if (!log_ip)
		client = "-";
	if (host == NULL || *host == '\0')
		host = "-";
	switch (log_fmt) {
	case LOG_COMMON:
		timestamp_fmt(ts, sizeof(ts), 1);
		log_escape(esc, sizeof(esc), req, reqlen);
		rc = fprintf(fp, "%s - - [%s] \"%s\" %d %llu\n", client, ts,
		    esc, status, bytes);
		break;
	case LOG_JSON:
		timestamp(ts, sizeof(ts));
		json_escape(esc, sizeof(esc), req, reqlen);
		json_escape(hesc, sizeof(hesc), host, strlen(host));
		rc = fprintf(fp,
		    "{\"time\":\"%s\",\"client\":\"%s\","
		    "\"host\":\"%s\",\"request\":\"%s\",\"status\":%d,"
		    "\"bytes\":%llu,\"ms\":%.1f}\n",
		    ts, client, hesc, esc, status, bytes, ms);
		break;
	default:
		timestamp(ts, sizeof(ts));
		log_escape(esc, sizeof(esc), req, reqlen);
		log_escape(hesc, sizeof(hesc), host, strlen(host));
		rc = fprintf(fp, "%s %s %s \"%s\" %d %llu %.1fms\n", ts, client,
		    hesc, esc, status, bytes, ms);
		break;
	}
	if (rc < 0) {
		log_lost++;
		clearerr(fp);
	}
}
