"""Drive a command in a real pseudo-terminal: wait for each expected text, then send keys.

usage: pty-drive.py SCRIPT_JSON -- command args...
SCRIPT_JSON: [["text to wait for", "keys to send"], ...]; keys use \\r for Enter, \\x03 for Ctrl-C.
Prints the transcript (ANSI stripped) and exits with the command's exit code; 124 on a timeout.
PTY_COLS sets the terminal's width (default 160). PTY_SCREEN=1 prints the screen as a terminal would show
it (cursor movement and erasing applied, scrollback kept) instead of the raw transcript.
"""
import fcntl, json, os, pty, re, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
COLS = int(os.environ.get("PTY_COLS", "160"))
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLS, 0, 0))
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

def screen(data, cols):
    """A small terminal: enough of VT100 for clack (cursor up/down/column, erase line/below)."""
    lines, row, col = [[]], 0, 0
    def at(r):
        while len(lines) <= r:
            lines.append([])
        return lines[r]
    i = 0
    while i < len(data):
        m = re.match(r"\x1b\[([0-9;?]*)([A-Za-z])", data[i:])
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() else 1
            op = m.group(2)
            if op == "A": row = max(0, row - n)
            elif op == "B": row += n
            elif op == "C": col += n
            elif op == "D": col = max(0, col - n)
            elif op == "G": col = n - 1
            elif op == "K":
                line = at(row)
                if m.group(1) == "2": line.clear()
                else: del line[col:]
            elif op == "J": del lines[row + 1:]; del at(row)[col:]
            i += m.end(); continue
        if data[i] == "\x1b": i += 1; continue
        ch = data[i]; i += 1
        if ch == "\r": col = 0
        elif ch == "\n": row += 1; col = 0; at(row)
        elif ch == "\b": col = max(0, col - 1)
        elif ch >= " ":
            if col >= cols: row += 1; col = 0
            line = at(row)
            while len(line) < col: line.append(" ")
            if col < len(line): line[col] = ch
            else: line.append(ch)
            col += 1
    return "\n".join("".join(l).rstrip() for l in lines).rstrip() + "\n"

if os.environ.get("PTY_SCREEN") == "1":
    sys.stdout.write(screen(seen.decode(errors="replace"), COLS))
else:
    sys.stdout.write(ansi.sub(b"", seen).decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
