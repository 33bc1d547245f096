build-bench/frontmatter.o: src/frontmatter.c include/frontmatter.h \
 include/util.h include/toml.h
include/frontmatter.h:
include/util.h:
include/toml.h:
