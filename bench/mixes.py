#!/usr/bin/env python3
"""Writes the wrk scripts of the benchmark mixes into a folder, one lua script per mix,
each request taking the next line of its list (bench/load.sh, bench/cpu.sh, bench/ab.sh):

    search     the queries of bench/queries.txt on /v1/search
    keystroke  every prefix of each of them, as a search box sends them, on /v1/search
    suggest    their prefixes of up to 8 characters on /v1/suggest

    bench/mixes.py <out dir>   (run from the repository's root)
"""
import pathlib
import sys
import urllib.parse


def script(out: pathlib.Path, name: str, path: str, items: list) -> None:
    paths = ",".join('"%s%s"' % (path, urllib.parse.quote(i)) for i in items)
    (out / f"{name}.lua").write_text(
        "local paths = {%s}\nlocal i = 0\n"
        "request = function()\n  i = i %% #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        % paths
    )


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    queries = [l.strip() for l in open("bench/queries.txt") if l.strip()]
    keystrokes = [q[:n] for q in queries for n in range(1, len(q) + 1)]
    prefixes = sorted({q[:n] for q in queries for n in range(1, min(len(q), 8) + 1)})
    script(out, "search", "/v1/search?q=", queries)
    script(out, "keystroke", "/v1/search?q=", keystrokes)
    script(out, "suggest", "/v1/suggest?q=", prefixes)


if __name__ == "__main__":
    main()
