/*
 * test_route: the router (gemini_handle) against a real folder, with the
 * hostile-path matrix of docs/protocol.md ("Paths"): dot segments raw,
 * percent-encoded, double-encoded and mixed-case, %2F and %5C, NUL,
 * overlong UTF-8, symlinks out of the root (relative and absolute), to a
 * dotfile and a dot folder, in a loop, a FIFO. Each answers 51 or 59 and
 * no response carries a byte of a file outside the root or of a dotfile.
 * The same requests end to end, once per behaviour, are in
 * tests/e2e/hostile.sh.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gemini.h"
#include "mime.h"
#include "t.h"
#include "vhost.h"

#define MARK_PAGE    "page-marker-91c2"
#define MARK_OUTSIDE "outside-marker-dead"
#define MARK_SECRET  "secret-marker-c0de"
#define MARK_HIDDEN  "hidden-dir-marker-5e1f"

static char dir[] = "/tmp/capsuled-route.XXXXXX";
static char root[PATH_MAX];

static void
put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((f = fopen(p, "w")) == NULL) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void
at(int (*fn)(const char *, const char *), const char *a, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if (fn(a, p) == -1) {
		perror(p);
		exit(2);
	}
}

static void
mk(const char *rel, int fifo)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((fifo ? mkfifo(p, 0644) : mkdir(p, 0755)) == -1) {
		perror(p);
		exit(2);
	}
}

/* The capsule of tests/e2e/lib.sh and hostile.sh, under dir/capsule. */
static void
fixtures(void)
{
	char abs[PATH_MAX];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(root, sizeof(root), "%s/capsule", dir);
	mk("capsule", 0);
	mk("capsule/sub", 0);
	mk("capsule/list", 0);
	mk("capsule/links", 0);
	mk("capsule/.hiddendir", 0);
	put("capsule/page.gmi", "# A page\n\n" MARK_PAGE "\n");
	put("capsule/index.gmi", "# Home\n");
	put("capsule/sub/index.gmi", "# Sub\n");
	put("capsule/list/.hidden", MARK_SECRET "\n");
	put("capsule/.secret", MARK_SECRET "\n");
	put("capsule/.hiddendir/file.gmi", MARK_HIDDEN "\n");
	put("outside.gmi", "# Outside\n\n" MARK_OUTSIDE "\n");
	at(symlink, "../outside.gmi", "capsule/escape.gmi");
	at(symlink, "..", "capsule/updir");
	at(symlink, "/etc/passwd", "capsule/passwd.txt");
	at(symlink, "/etc", "capsule/etcdir");
	snprintf(abs, sizeof(abs), "%s/outside.gmi", dir);
	at(symlink, abs, "capsule/abs-escape.gmi");
	at(symlink, ".secret", "capsule/secret-link.gmi");
	at(symlink, ".hiddendir", "capsule/hidden-link");
	at(symlink, ".hiddendir/file.gmi", "capsule/hidden-file-link.gmi");
	at(symlink, "loop-b.gmi", "capsule/loop-a.gmi");
	at(symlink, "loop-a.gmi", "capsule/loop-b.gmi");
	at(symlink, "self.gmi", "capsule/self.gmi");
	at(symlink, "loopdir", "capsule/loopdir");
	at(symlink, "../../outside.gmi", "capsule/links/deep-escape.gmi");
	/* Links that stay inside and reach no dotfile are served. */
	at(symlink, "page.gmi", "capsule/good-link.gmi");
	at(symlink, "../page.gmi", "capsule/sub/up-link.gmi");
	mk("capsule/fifo.gmi", 1);
	mk("capsule/links/pipe.txt", 1);
}

static struct vhost vh;
static struct gemini_ctx g;
static char *names[] = { "localhost" };

/* Routes "gemini://localhost" + path (len bytes, 0: strlen); returns the
 * status and the whole response (header, body, streamed file) in out. */
static int
route(const char *path, size_t len, struct buf *out)
{
	struct request req;
	struct response resp;
	char line[2048], chunk[4096];
	int n;
	ssize_t r;
	off_t off = 0;

	if (len == 0)
		len = strlen(path);
	n = snprintf(line, sizeof(line), "gemini://localhost");
	memcpy(line + n, path, len);
	memset(&req, 0, sizeof(req));
	req.line = line;
	req.len = (size_t)n + len;
	req.vhost = &vh;
	req.sni = "localhost";
	req.client = "127.0.0.1";
	memset(&resp, 0, sizeof(resp));
	resp.fd = -1;
	gemini_handle(&g, &req, &resp);
	buf_reset(out);
	if (resp.page)
		buf_add(out, resp.page->data, resp.page->len);
	if (resp.fd != -1) {
		while (off < resp.size &&
		    (r = pread(resp.fd, chunk, sizeof(chunk), off)) > 0) {
			buf_add(out, chunk, (size_t)r);
			off += r;
		}
		close(resp.fd);
	}
	if (resp.page)
		page_unref(resp.page);
	buf_addc(out, '\0');
	return resp.status;
}

static int
leaks(const struct buf *b)
{
	static const char *forbidden[] = { MARK_OUTSIDE, MARK_SECRET,
		MARK_HIDDEN, "root:x:0:0" };
	size_t i;

	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (memmem(b->data, b->len, forbidden[i],
			strlen(forbidden[i])) != NULL)
			return 1;
	return 0;
}

/* Every path: 51 or 59, nothing from outside the root or a dotfile. */
static const char *hostile[] = {
	/* Dot segments, raw and percent-encoded in every case mix. */
	"/../outside.gmi",
	"/./../outside.gmi",
	"//../outside.gmi",
	"/sub/../../outside.gmi",
	"/sub/./../../outside.gmi",
	"/sub/%2e%2e/%2e%2e/outside.gmi",
	"/%2e%2e/outside.gmi",
	"/%2E%2E/outside.gmi",
	"/%2e%2E/outside.gmi",
	"/%2E./outside.gmi",
	"/.%2e/outside.gmi",
	"/%2e/../outside.gmi",
	"/../../",
	/* An encoded slash is data, never a separator. */
	"/..%2foutside.gmi",
	"/..%2Foutside.gmi",
	"/%2e%2e%2foutside.gmi",
	"/%2E%2E%2Foutside.gmi",
	"/sub/..%2F..%2Foutside.gmi",
	"/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
	"/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
	/* Decoded once: a double encoding names a file called "%2e%2e". */
	"/%252e%252e/outside.gmi",
	"/%252E%252E%252Foutside.gmi",
	"/..%252foutside.gmi",
	"/%25%32%65%25%32%65/outside.gmi",
	/* A backslash is an ordinary byte. */
	"/..%5coutside.gmi",
	"/..%5Coutside.gmi",
	"/sub%5c..%5c..%5coutside.gmi",
	"/%2e%2e%5coutside.gmi",
	"/..\\outside.gmi",
	/* NUL, overlong and look-alike dots. */
	"/page.gmi%00",
	"/outside.gmi%00.gmi",
	"/%00../outside.gmi",
	"/.%00./outside.gmi",
	"/%c0%ae%c0%ae/outside.gmi",
	"/%C0%AE%C0%AE%2Foutside.gmi",
	"/%e0%80%ae%e0%80%ae/outside.gmi",
	"/..%c0%afoutside.gmi",
	"/..%c1%9coutside.gmi",
	"/%ef%bc%8e%ef%bc%8e/outside.gmi",
	/* Symlinks leaving the root, relative and absolute. */
	"/escape.gmi",
	"/abs-escape.gmi",
	"/updir/outside.gmi",
	"/links/deep-escape.gmi",
	"/passwd.txt",
	"/etcdir/passwd",
	/* Dotfiles and dot folders, directly, encoded, through links. */
	"/.secret",
	"/%2esecret",
	"/%2Esecret",
	"/sub/../.secret",
	"/secret-link.gmi",
	"/list/.hidden",
	"/list/%2Ehidden",
	"/.hiddendir/file.gmi",
	"/.hiddendir/",
	"/hidden-link/file.gmi",
	"/hidden-file-link.gmi",
	/* Loops. */
	"/loop-a.gmi",
	"/self.gmi",
	"/loopdir/x.gmi",
	"/loopdir/",
	/* FIFOs: answered at once, never opened for reading. */
	"/fifo.gmi",
	"/links/pipe.txt",
};

static void
test_hostile(void)
{
	struct buf b = BUF_INIT;
	size_t i;
	int st;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		st = route(hostile[i], 0, &b);
		if ((st != 51 && st != 59) || leaks(&b))
			fprintf(stderr, "hostile %s: status %d, %s\n",
			    hostile[i], st, leaks(&b) ? "LEAKS" : "no leak");
		T_OK(st == 51 || st == 59);
		T_OK(!leaks(&b));
	}
	/* A raw NUL between dot segments. */
	st = route("/..\0/outside.gmi", 15, &b);
	T_INT(st, 59);
	T_OK(!leaks(&b));
	buf_free(&b);
}

/* What the matrix must not break: the same shapes, inside the root. */
static void
test_served(void)
{
	struct buf b = BUF_INIT;

	T_INT(route("/page.gmi", 0, &b), 20);
	T_OK(strstr(b.data, MARK_PAGE) != NULL);
	T_INT(route("/sub/../page.gmi", 0, &b), 20);
	T_INT(route("/sub/%2e%2e/page.gmi", 0, &b), 20);
	T_INT(route("/good-link.gmi", 0, &b), 20);
	T_OK(strstr(b.data, MARK_PAGE) != NULL);
	T_INT(route("/sub/up-link.gmi", 0, &b), 20);
	T_OK(strstr(b.data, MARK_PAGE) != NULL);
	T_INT(route("/sub", 0, &b), 31);
	T_INT(route("/list/", 0, &b), 20);
	T_OK(strstr(b.data, ".hidden") == NULL);
	T_INT(route("/", 0, &b), 20);
	T_OK(strstr(b.data, ".secret") == NULL);
	buf_free(&b);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	fixtures();
	memset(&g, 0, sizeof(g));
	vh.names = names;
	vh.nnames = 1;
	vh.root = root;
	vh.rootreal = realpath(root, NULL);
	vh.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	T_OK(vh.rootreal != NULL && vh.rootfd != -1);
	g.vhosts = &vh;
	g.nvhosts = 1;
	g.mime = mime_new();
	g.public_port = 1965;
	test_hostile();
	test_served();
	mime_free(g.mime);
	close(vh.rootfd);
	free(vh.rootreal);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done();
}
