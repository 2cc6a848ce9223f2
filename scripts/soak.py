#!/usr/bin/env python3
"""Helpers of scripts/soak.sh (make soak).

  soak.py serve WORK NSITES
      Serves the sites (GET /site/N: 200 while site N is up, 503 while down;
      each flips every 3-10 s, answers within 0-300 ms) and the webhook receiver (POST: 200, or at
      random 500, 429 with Retry-After, a hang, or the connection closed
      without an answer). Writes WORK/sites.port and WORK/hook.port. Once
      WORK/calm exists the sites stop flipping (their states go to
      WORK/final) and the receiver answers 200 to everything.
      Logs: WORK/flips (time site up|down), WORK/hook.log (one JSON line per
      post: time, status answered (0 hang, -1 closed) and the body).

  soak.py check WORK
      Reads the logs, WORK/events (time what: the kills), WORK/runs (one
      line per peekl run: exit status and the signal we sent, or -) and
      WORK/status.json, prints the counts and exits 1 on any violation.
"""
import json
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()


def log(path, line):
    with lock, open(path, "a") as f:
        f.write(line + "\n")


def serve(work, nsites):
    up = [True] * nsites
    calm = os.path.join(work, "calm")

    class Sites(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            try:
                n = int(self.path.split("/")[2])
                ok = up[n]
            except (IndexError, ValueError):
                self.send_error(404)
                return
            # A run lasts long enough to be killed in the middle.
            time.sleep(random.uniform(0, 0.3))
            body = b"ok\n" if ok else b"down\n"
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            if os.path.exists(calm):
                what = "ok"
            else:
                what = random.choices(["ok", "500", "429", "hang", "close"],
                                      [50, 15, 10, 10, 15])[0]
            status = {"ok": 200, "500": 500, "429": 429, "hang": 0,
                      "close": -1}[what]
            # Logged before answering: a post peekl saw a 200 for is here.
            log(os.path.join(work, "hook.log"), json.dumps(
                {"t": time.time(), "status": status, "body": body}))
            if what == "hang":
                time.sleep(15)
                return
            if what == "close":
                self.close_connection = True
                return
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", str(random.randint(1, 3)))
            self.send_header("Content-Length", "3")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"ok\n")

    def flipper():
        due = [time.time() + random.uniform(3, 10) for _ in range(nsites)]
        while not os.path.exists(calm):
            now = time.time()
            for i in range(nsites):
                if now >= due[i]:
                    up[i] = not up[i]
                    log(os.path.join(work, "flips"),
                        "%.3f %d %s" % (now, i, "up" if up[i] else "down"))
                    due[i] = now + random.uniform(3, 10)
            time.sleep(0.05)
        with open(os.path.join(work, "final.tmp"), "w") as f:
            for i in range(nsites):
                f.write("s%d %s\n" % (i, "up" if up[i] else "down"))
        os.rename(os.path.join(work, "final.tmp"), os.path.join(work, "final"))

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass    # peekl timing out or killed mid-answer is the point

    servers = []
    for name, handler in (("sites", Sites), ("hook", Hook)):
        srv = Server(("127.0.0.1", 0), handler)
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        tmp = os.path.join(work, name + ".port.tmp")
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, os.path.join(work, name + ".port"))
    flipper()
    while True:
        time.sleep(3600)


def check(work):
    kills = []
    with open(os.path.join(work, "events")) as f:
        for line in f:
            t, what = line.split(None, 1)
            kills.append((float(t), what.strip()))
    runs = crashes = 0
    with open(os.path.join(work, "runs")) as f:
        for line in f:
            rc, sig = line.split()
            rc = int(rc)
            runs += 1
            # Ours: 137 after our SIGKILL; after our SIGTERM peekl exits 3
            # (or 143 if it had not installed its handler yet).
            if rc in (0, 1, 2, 3):
                continue
            if (sig == "KILL" and rc == 137) or (sig == "TERM" and rc == 143):
                continue
            crashes += 1
            print("crash: a run exited %d (we sent %s)" % (rc, sig))

    delivered = {}          # (site, state, timestamp) -> [times answered 200]
    posts = 0
    with open(os.path.join(work, "hook.log")) as f:
        for line in f:
            e = json.loads(line)
            posts += 1
            if e["status"] != 200:
                continue
            b = json.loads(e["body"])
            delivered.setdefault((b["site"], b["state"], b["timestamp"]),
                                 []).append(e["t"])
    dup = ambiguous = 0
    for key, ts in sorted(delivered.items()):
        if len(ts) < 2:
            continue
        # A kill between the 200 and the removal of the entry (peekl's, or
        # Redis' before the removal was written) legitimately repeats it.
        if any(ts[0] - 0.5 <= t <= ts[0] + 5 for t, _ in kills):
            ambiguous += 1
            print("ambiguous duplicate (a kill right after the 2xx): %s" %
                  " ".join(key))
        else:
            dup += 1
            print("duplicate: %s delivered %d times" % (" ".join(key),
                                                         len(ts)))

    final = {}
    with open(os.path.join(work, "final")) as f:
        for line in f:
            site, st = line.split()
            final[site] = st
    seq = {}
    for site, state, ts in sorted(delivered, key=lambda k: k[2]):
        seq.setdefault(site, []).append(state)
    alternation = mismatch = 0
    for site in sorted(final):
        s = seq.get(site, [])
        for i, state in enumerate(s):
            if state != ("DOWN" if i % 2 == 0 else "UP"):
                alternation += 1
                print("%s: alerts %s do not alternate DOWN, UP" %
                      (site, " ".join(s)))
                break
        last = s[-1] if s else None
        want = ("DOWN",) if final[site] == "down" else ("UP", None)
        if last not in want:
            mismatch += 1
            print("%s: last alert %s, but the site ended %s" %
                  (site, last, final[site]))

    with open(os.path.join(work, "status.json")) as f:
        status = json.load(f)
    wrong = 0
    for s in status["sites"]:
        if s["state"] != final.get(s["site"]):
            wrong += 1
            print("status: %s is %s, really %s" % (s["site"], s["state"],
                                                   final.get(s["site"])))

    nk = {w: sum(1 for _, x in kills if x == w)
          for w in ("peekl-TERM", "peekl-KILL", "redis-KILL")}
    print("soak: %d peekl runs (%d sent SIGTERM, %d SIGKILL), redis killed "
          "%d times, %d webhook posts, %d distinct alerts delivered" %
          (runs, nk["peekl-TERM"], nk["peekl-KILL"], nk["redis-KILL"], posts,
           len(delivered)))
    print("  crashes                         %d" % crashes)
    print("  alerts delivered twice          %d (and %d after a kill right "
          "after the 2xx: legitimately ambiguous)" % (dup, ambiguous))
    print("  DOWN/UP alternation violations  %d" % alternation)
    print("  last alert vs final state       %d mismatches" % mismatch)
    print("  status vs reality               %d mismatches" % wrong)
    return 1 if crashes or dup or alternation or mismatch or wrong else 0


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(check(sys.argv[2]))
