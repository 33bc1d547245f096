build-bench/bench/gemload: tests/bench/gemload.c
