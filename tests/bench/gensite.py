#!/usr/bin/env python3
"""gensite.py: a generated Hugo site of N pages for the scale bench.

usage: gensite.py DIR N

DIR gets hugo.toml (with a title) and content/ with five sections, each
with its _index.md.  Every page has front matter with title, date and
tags (TOML on even pages, YAML on odd ones, a few dates with a time),
a ~2 KB Markdown body of headings, paragraphs, a list and a quote, and
links to three other pages by their URL.  Every 40th page is a page
bundle (a folder with index.md and a small image).  Deterministic for a
given N; 100,000 pages take a few seconds.  Prints one line:
"pages N bytes B bundles K sections S" and, per section, the URL of its
first page ("first /SECTION/NAME/").
"""
import os
import random
import sys

SECTIONS = ["posts", "reviews", "notes", "essays", "journal"]
WORDS = ("the film manga panel desk window snow quiet line pencil studio "
         "scene frame colour light music score rhythm story friend rival "
         "drawing ink paper season winter summer school town river road "
         "memory grief craft patience practice hand eye voice silence "
         "animation director composer reader viewer page chapter cut "
         "shot edit pace tone mood detail texture weight gesture").split()
# A 1x1 PNG: bundles carry an image file, as real ones do.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2f1a6be0000000049454e44"
    "ae426082")


def sentence(rng):
    n = rng.randint(8, 16)
    w = [rng.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    if rng.random() < 0.3:
        k = rng.randrange(n)
        w[k] = "*" + w[k] + "*"
    return " ".join(w) + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gensite.py DIR N\n")
        return 2
    root, n = sys.argv[1], int(sys.argv[2])
    if n < 1:
        sys.stderr.write("gensite: N must be at least 1\n")
        return 2
    rng = random.Random(16)
    paras = [paragraph(rng) for _ in range(400)]
    tags = ["tag%03d" % i for i in range(300)]
    content = os.path.join(root, "content")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(root, "hugo.toml"), "w") as f:
        f.write('baseURL = "gemini://localhost/"\n'
                'title = "Scale %d"\nlanguageCode = "en"\n\n'
                '[params]\ndescription = "A generated site of %d pages"\n'
                'mainSections = ["posts", "reviews"]\n' % (n, n))
    with open(os.path.join(content, "_index.md"), "w") as f:
        f.write('+++\ntitle = "Scale %d"\n+++\n\nA generated site.\n' % n)
    for s in SECTIONS:
        os.makedirs(os.path.join(content, s), exist_ok=True)
        with open(os.path.join(content, s, "_index.md"), "w") as f:
            f.write("---\ntitle: %s\n---\n\nThe %s section.\n"
                    % (s.capitalize(), s))

    def name(i):
        return "p%06d-%s" % (i, WORDS[i % len(WORDS)])

    def url(i):
        return "/%s/%s/" % (SECTIONS[i % len(SECTIONS)], name(i))

    total = bundles = 0
    for i in range(n):
        sec = SECTIONS[i % len(SECTIONS)]
        title = "%s %s, part %d" % (WORDS[(i * 7 + 3) % len(WORDS)].capitalize(),
                                    WORDS[(i * 13) % len(WORDS)], i)
        # Dates spread over 2005-2024, distinct enough to sort.
        y = 2005 + (i * 20) // n
        mo = 1 + (i % 12)
        d = 1 + (i % 28)
        t = [tags[(i * 31 + k * 17) % len(tags)] for k in range(1 + i % 3)]
        if i % 2 == 0:
            date = ("%04d-%02d-%02d" % (y, mo, d) if i % 10 else
                    "%04d-%02d-%02dT%02d:%02d:00Z" % (y, mo, d, i % 24,
                                                      i % 60))
            fm = '+++\ntitle = "%s"\ndate = %s\ntags = [%s]\n+++\n' % (
                title, date, ", ".join('"%s"' % x for x in t))
        else:
            date = "%04d-%02d-%02d" % (y, mo, d)
            fm = "---\ntitle: \"%s\"\ndate: %s\ntags:\n%s---\n" % (
                title, date, "".join("  - %s\n" % x for x in t))
        links = [(i * 7919 + k * 104729 + 1) % n for k in range(3)]
        p = [paras[(i * 3 + k) % len(paras)] for k in range(5)]
        body = (
            "\n%s\n\n## About %s\n\n%s See [%s](%s) for more.\n\n"
            "- %s\n- the [other part](%s)\n- %s\n\n> %s\n\n"
            "## Notes\n\n%s\n\n%s\n\n%s Also [this one](%s).\n" % (
                p[0], WORDS[i % len(WORDS)], p[1], "an older page",
                url(links[0]), sentence(rng), url(links[1]), sentence(rng),
                sentence(rng), p[2], p[3], p[4], url(links[2])))
        text = fm + body
        if i % 40 == 7:
            d = os.path.join(content, sec, name(i))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "cover.png"), "wb") as f:
                f.write(PNG)
            text += "\n![The cover](cover.png)\n"
            path = os.path.join(d, "index.md")
            bundles += 1
        else:
            path = os.path.join(content, sec, name(i) + ".md")
        with open(path, "w") as f:
            f.write(text)
        total += len(text)
    print("pages %d bytes %d bundles %d sections %d" % (n, total, bundles,
                                                        len(SECTIONS)))
    for k in range(min(n, len(SECTIONS))):
        print("first %s %s" % (url(k), os.path.relpath(
            os.path.join(content, SECTIONS[k], name(k) + ".md"), root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
