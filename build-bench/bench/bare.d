build-bench/bench/bare: tests/bench/bare.c
