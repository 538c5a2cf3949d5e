#!/usr/bin/env python3
"""drive.py --serial SOCKET [--qmp SOCKET] [--events FILE] [--timeout S] STEP...:
plays a person at a QEMU machine started by tools/qemu-run.sh with
SERIAL_INPUT (and QMP_SOCKET for keys, screendumps and events). Connects to
the serial socket (QEMU waits for it before it starts), reads everything the
kernel prints, and does the steps in order:
  wait=TEXT        until the output, after the previous wait's match, holds TEXT
  send=TEXT        types TEXT on the serial port
  keys=TEXT        types TEXT on the keyboard (QMP send-key: QEMU's PS/2 or USB one), a key at a time
  hold=CHAR MS     holds CHAR's key down for MS milliseconds (key repeat)
  screendump=FILE  saves the screen (PPM)
  qmp=CMD JSON     runs a QMP command with JSON arguments, e.g.
                   qmp=device_add {"driver": "usb-kbd", "id": "k"} (plugs in a keyboard)
  sleep=S          seconds
  cpu=S FILE       measures each virtual CPU's host thread (QMP query-cpus-fast
                   names them) over S seconds; writes to FILE, a line each,
                   the share of a host core it used (1.000: all of one)
TEXT takes Python escapes (\\n, \\x04 for Ctrl-D, \\x15 Ctrl-U, \\b for Backspace, \\x1b).
Then reads on until QEMU closes the socket. --save writes all the serial
output to FILE at the end (exact: QEMU's own logfile of a socket chardev
now and then repeats a byte). --events writes every QMP event
(e.g. SHUTDOWN with its reason, guest-reset or guest-shutdown) to FILE, one
JSON object a line. Exit status 1 when a wait timed out (the output so far
goes to stderr)."""
import codecs, json, os, queue, socket, sys, threading, time

QCODE = {' ': 'spc', '\n': 'ret', '\b': 'backspace', ',': 'comma', '.': 'dot', "'": 'apostrophe',
         '-': 'minus', '/': 'slash', ';': 'semicolon', '=': 'equal', '[': 'bracket_left',
         ']': 'bracket_right', '\\': 'backslash', '`': 'grave_accent', '\t': 'tab'}
SHIFTED = {'!': '1', '@': '2', '#': '3', '$': '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9',
           ')': '0', '_': 'minus', '+': 'equal', '"': 'apostrophe', ':': 'semicolon', '?': 'slash',
           '<': 'comma', '>': 'dot', '{': 'bracket_left', '}': 'bracket_right', '|': 'backslash',
           '~': 'grave_accent'}

def connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        except OSError:
            if time.time() > deadline:
                sys.exit(f"error: no socket at {path}")
            time.sleep(0.05)

def keys_of(ch):
    if ch == '\x04':
        return ['ctrl', 'd']
    if ch.isalpha() and ch.isascii():
        return ['shift', ch.lower()] if ch.isupper() else [ch]
    if ch.isdigit():
        return [ch]
    if ch in QCODE:
        return [QCODE[ch]]
    if ch in SHIFTED:
        return ['shift', SHIFTED[ch]]
    if '\x01' <= ch <= '\x1a':             # Ctrl-A .. Ctrl-Z (after \b \t \n above)
        return ['ctrl', chr(ord(ch) + 96)]
    sys.exit(f"error: no key for {ch!r}")

class Qmp:
    """One QMP connection; a thread reads it, replies to cmd, events to a file."""
    def __init__(self, path, deadline, events=None):
        self.f = connect(path, deadline).makefile('rw')
        self.events = open(events, 'w') if events else None
        self.replies = queue.Queue()
        json.loads(self.f.readline())
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        self.cmd('qmp_capabilities')

    def read(self):
        for line in self.f:
            r = json.loads(line)
            if 'event' in r:
                if self.events:
                    self.events.write(json.dumps(r) + '\n')
                    self.events.flush()
            elif 'return' in r or 'error' in r:
                self.replies.put(r)

    def cmd(self, name, **args):
        self.f.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        self.f.flush()
        return self.replies.get(timeout=30)

def cpu_ticks(tid):
    """User and system time of a host thread, in clock ticks (proc(5): fields
    14, 15 of /proc/PID/task/TID/stat; /proc/TID/stat would be the process's)."""
    with open(f'/proc/{tid}/status') as f:
        pid = next(line.split()[1] for line in f if line.startswith('Tgid:'))
    with open(f'/proc/{pid}/task/{tid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])

def cpu_shares(qmp, secs):
    tids = [c['thread-id'] for c in qmp.cmd('query-cpus-fast')['return']]
    before, t0 = [cpu_ticks(t) for t in tids], time.time()
    time.sleep(secs)
    after, elapsed = [cpu_ticks(t) for t in tids], time.time() - t0
    tick = os.sysconf('SC_CLK_TCK')
    return [(a - b) / tick / elapsed for a, b in zip(after, before)]

def main():
    argv = sys.argv[1:]
    serial = qmp_path = events = save = None
    timeout = 240.0
    while argv and argv[0].startswith('--'):
        opt, val = argv[0], argv[1]
        argv = argv[2:]
        if opt == '--serial': serial = val
        elif opt == '--qmp': qmp_path = val
        elif opt == '--events': events = val
        elif opt == '--save': save = val
        elif opt == '--timeout': timeout = float(val)
    deadline = time.time() + timeout
    s = connect(serial, time.time() + 30)
    out = bytearray()
    lock = threading.Lock()

    def reader():
        while True:
            try:
                b = s.recv(65536)
            except OSError:
                return
            if not b:
                return
            with lock:
                out.extend(b)
    def write_save():
        if save:
            with lock, open(save, 'wb') as f:
                f.write(out)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    qmp = Qmp(qmp_path, time.time() + 10, events) if events else None
    seen = 0                      # output consumed by the waits so far
    for step in argv:
        kind, _, text = step.partition('=')
        text = codecs.decode(text, 'unicode_escape')
        if kind == 'wait':
            want = text.encode()
            while True:
                with lock:
                    i = out.find(want, seen)
                if i >= 0:
                    seen = i + len(want)
                    break
                if time.time() > deadline or not t.is_alive():
                    sys.stderr.write(f"drive.py: gave up waiting for {text!r}; output:\n")
                    sys.stderr.write(out.decode(errors='replace')[-2000:])
                    s.close()
                    write_save()
                    return 1
                time.sleep(0.05)
        elif kind == 'send':
            s.sendall(text.encode())
        elif kind == 'screendump':
            if qmp is None:
                qmp = Qmp(qmp_path, time.time() + 10)
            qmp.cmd('screendump', filename=text)
        elif kind == 'keys':
            if qmp is None:
                qmp = Qmp(qmp_path, time.time() + 10)
            for ch in text:
                keys = [{'type': 'qcode', 'data': k} for k in keys_of(ch)]
                qmp.cmd('send-key', keys=keys, **{'hold-time': 30})
                time.sleep(0.08)
        elif kind == 'hold':
            if qmp is None:
                qmp = Qmp(qmp_path, time.time() + 10)
            ms = int(text[2:])
            keys = [{'type': 'qcode', 'data': k} for k in keys_of(text[0])]
            qmp.cmd('send-key', keys=keys, **{'hold-time': ms})
            time.sleep(ms / 1000 + 0.2)
        elif kind == 'qmp':
            if qmp is None:
                qmp = Qmp(qmp_path, time.time() + 10)
            name, _, args = text.partition(' ')
            reply = qmp.cmd(name, **(json.loads(args) if args.strip() else {}))
            if 'error' in reply:
                sys.stderr.write(f"drive.py: {name} failed: {reply['error']}\n")
                s.close()
                write_save()
                return 1
        elif kind == 'sleep':
            time.sleep(float(text))
        elif kind == 'cpu':
            if qmp is None:
                qmp = Qmp(qmp_path, time.time() + 10)
            secs, _, path = text.partition(' ')
            with open(path, 'w') as f:
                f.writelines(f'{share:.3f}\n' for share in cpu_shares(qmp, float(secs)))
        else:
            sys.exit(f"error: unknown step {step!r}")
    while t.is_alive() and time.time() < deadline:
        t.join(0.2)
    # QEMU's last events (SHUTDOWN and its reason) come as it exits: read
    # them before leaving, the QMP socket closes right after
    if qmp and not t.is_alive():
        qmp.reader.join(min(5, max(0, deadline - time.time())))
    s.close()
    write_save()
    return 0

sys.exit(main())
