#!/usr/bin/env bash
# Builds the HttpRequestParser fuzz target with clang's libFuzzer under ASan
# and UBSan, then fuzzes it: bench/fuzz/run-http-parser.sh [SECONDS] (300).
# Findings (crash-*, leak-*) are left in the build folder it prints.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-300}"
out="build/fuzz"
mkdir -p "${out}/corpus"
scripts/install-deps.sh build fuzz  # clang++ with libFuzzer
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iprotocols/http \
    bench/fuzz/http_request_parser_fuzz.cpp protocols/http/HttpRequestParser.cpp \
    -lPocoNet -lPocoFoundation -o "${out}/http_request_parser_fuzz"
# Seeds: a plain, a chunked with a trailer and a pipelined pair of requests.
printf '\x07\x05GET / HTTP/1.1\r\nHost: a\r\n\r\n' >"${out}/corpus/get"
printf '\x03\x02PUT /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nabcde\r\n0\r\nT: 1\r\n\r\n' >"${out}/corpus/chunked"
printf '\x40\x20POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.0\r\n\r\n' >"${out}/corpus/pipelined"
cd "${out}"
./http_request_parser_fuzz -max_total_time="${seconds}" -max_len=4096 -timeout=5 corpus
