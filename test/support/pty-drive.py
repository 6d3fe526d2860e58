"""Drive a command in a real pseudo-terminal: wait for each expected text, then send keys.

usage: pty-drive.py SCRIPT_JSON -- command args...
SCRIPT_JSON: [["text to wait for", "keys to send"], ...]; keys use \\r for Enter, \\x03 for Ctrl-C.
Prints the transcript (ANSI stripped) and exits with the command's exit code; 124 on a timeout.
"""
import fcntl, json, os, pty, re, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
ansi = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
seen = b""

def pump(deadline):
    global seen
    r, _, _ = select.select([fd], [], [], max(0.0, min(0.1, deadline - time.time())))
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        seen += chunk
    return True

for wait_for, keys in steps:
    deadline = time.time() + 20
    while wait_for.encode() not in ansi.sub(b"", seen):
        if time.time() > deadline or not pump(deadline):
            sys.stdout.write(ansi.sub(b"", seen).decode(errors="replace"))
            sys.stdout.write(f"\n[pty-drive] timed out waiting for {wait_for!r}\n")
            os.kill(pid, 9)
            sys.exit(124)
    time.sleep(0.2)
    os.write(fd, keys.encode())

deadline = time.time() + 60
while time.time() < deadline and pump(deadline):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(ansi.sub(b"", seen).decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
