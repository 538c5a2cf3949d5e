#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND [ARG=VALUE...]: send one QMP command to a running
QEMU (e.g. `screendump filename=/tmp/x.ppm`, `quit`, `send-key ...`) and
print the reply. Waits up to 10 s for the socket to appear."""
import json, socket, sys, time

def main():
    path, cmd, *kv = sys.argv[1:]
    args = {}
    for item in kv:
        k, v = item.split('=', 1)
        args[k] = json.loads(v) if v[:1] in '[{' else v
    deadline = time.time() + 10
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            break
        except OSError:
            if time.time() > deadline:
                sys.exit(f"error: no QMP socket at {path}")
            time.sleep(0.1)
    f = s.makefile('rw')
    json.loads(f.readline())                       # greeting
    for c, a in (("qmp_capabilities", {}), (cmd, args)):
        f.write(json.dumps({"execute": c, "arguments": a}) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                break
    print(json.dumps(reply))
    sys.exit(1 if "error" in reply else 0)

main()
