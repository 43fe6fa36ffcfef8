#!/usr/bin/env python3
"""Fails when a coroutine takes a reference parameter.

A Task (impl/task.h) is lazy: its body runs when it is awaited, possibly
after the full expression that called it has ended. A reference parameter
then refers to whatever the caller passed, and a temporary (a string built
in the argument list, `const T&` bound to a conversion) is gone by the time
the body reads it. Today every call happens to await in the same
expression; this check makes the hazard impossible instead of avoided.
(clang-tidy 14 has no cppcoreguidelines-avoid-reference-coroutine-parameters;
it arrived in clang-tidy 15.)

It scans every C++ source under the given roots for functions whose return
type is Task<...> (or lc::Task / lockcheck::Task) and reports each
parameter whose type is a reference (T&, const T&, T&&) at the top level.

Allowed, by name: `Env&` and `World&`. They are the process's world, not
data: the object outlives every task it runs (a Task runs only while the
World/HiredisEnv that drives it exists, see impl/env.h), and a non-const
lvalue reference cannot bind a temporary. Nothing else is.

Usage: coroutine_params_test.py ROOT...   exit 0 clean, 1 with findings
       coroutine_params_test.py --self-test   (plants bad declarations)
"""

import os
import re
import sys
import tempfile

ALLOWED_REFERENCES = {"Env&", "World&", "sim::World&", "lockcheck::Env&"}
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx")
SKIP_DIRS = {"build", ".git", "node_modules", "third_party"}
MAX_FILE_BYTES = 2_000_000  # a limit on everything: no source file is this big

TASK_RE = re.compile(r"(?<![\w:])(?:(?:lc|lockcheck)::)?Task\s*<")
NAME_RE = re.compile(r"\s*((?:[A-Za-z_]\w*(?:<[^<>;(){}]*>)?::)*~?[A-Za-z_]\w*)\s*\(")


def strip_comments_and_strings(text):
    """Blanks comments and string/char literals, keeping offsets and newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else " " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching(text, i, open_ch, close_ch):
    """Index just past the bracket closing the one at text[i], or -1."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_ch:
            depth += 1
        elif text[j] == close_ch:
            depth -= 1
            if depth == 0:
                return j + 1
        elif open_ch == "<" and text[j] in ";{}":
            return -1  # a less-than, not a template argument list
    return -1


def split_top_level(params):
    """Splits a parameter list at commas outside (), <>, [], {}."""
    parts, depth, cur = [], 0, []
    for ch in params:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def top_level_reference(param):
    """The parameter's type if it is a reference at the top level, else None."""
    depth = 0
    decl = []
    for ch in param:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            break  # a default argument follows
        decl.append(ch)
    decl = "".join(decl)
    depth = 0
    for ch in decl:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        elif ch == "&" and depth == 0:
            # The type is everything up to the last '&'; the name follows it.
            return re.sub(r"\s+", "", decl[: decl.rindex("&") + 1])
    return None


def findings_in(path, text):
    code = strip_comments_and_strings(text)
    found = []
    for m in TASK_RE.finditer(code):
        end = matching(code, m.end() - 1, "<", ">")
        if end < 0:
            continue
        name = NAME_RE.match(code, end)
        if not name:
            continue  # not a return type: a parameter, a variable, a lambda's -> Task<...>
        paren = name.end() - 1
        close = matching(code, paren, "(", ")")
        if close < 0:
            continue
        line = code.count("\n", 0, m.start()) + 1
        for param in split_top_level(code[paren + 1 : close - 1]):
            ref = top_level_reference(param)
            if ref is not None and ref not in ALLOWED_REFERENCES:
                found.append(f"{path}:{line}: coroutine {name.group(1)} takes a reference parameter "
                             f"'{' '.join(param.split())}': take it by value (a Task may run after its "
                             f"caller's temporaries are gone)")
    return found


def scan(roots):
    found = []
    files = 0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build"))
            for f in sorted(filenames):
                if not f.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(dirpath, f)
                if os.path.getsize(path) > MAX_FILE_BYTES:
                    continue
                with open(path, encoding="utf-8", errors="replace") as fh:
                    found += findings_in(path, fh.read())
                files += 1
    return files, found


PLANTED_BAD = {
    "const_ref.h": "Task<void> read_key(Env& env, const std::string& key);\n",
    "mut_ref.cc": "lc::Task<Result<int>> Foo::count(Env& env,\n    std::vector<int>& seen) {\n  co_return 1;\n}\n",
    "rvalue_ref.cc": "Task<> take(std::string&& s) { co_return; }\n",
    "default_arg.h": "Task<Status> retry(int tries, const Options &o = {});\n",
    "const_env.h": "Task<void> look(const Env& env);\n",
}
PLANTED_GOOD = """\
// Task<void> in_a_comment(const std::string& s);
const char* doc = "Task<void> in_a_string(const std::string& s)";
Task<void> by_value(Env& env, std::string key, std::function<void(int&)> f, const char* p);
Task<Result<Reply>> World::call(size_t node, std::vector<std::string> argv) { co_return Reply{}; }
void spawn(int client, Task<void> task);
auto lambda = [](Env& env, Ctx ctx) -> Task<void> { co_return; };
std::vector<Task<void>> helpers;
bool less = a < b && c > d;
Task<void> run(World& world, int client);
"""


def self_test():
    with tempfile.TemporaryDirectory() as d:
        for name, text in PLANTED_BAD.items():
            with open(os.path.join(d, name), "w") as fh:
                fh.write(text)
        with open(os.path.join(d, "good.cc"), "w") as fh:
            fh.write(PLANTED_GOOD)
        _, found = scan([d])
    ok = True
    for name in PLANTED_BAD:
        hits = [f for f in found if os.path.basename(f.split(":")[0]) == name]
        if len(hits) != 1:
            print(f"self-test: expected one finding in {name}, got {hits}")
            ok = False
    bogus = [f for f in found if "good.cc" in f]
    if bogus:
        print(f"self-test: false positives in good.cc: {bogus}")
        ok = False
    print("self-test: " + ("ok, every planted reference parameter caught, no false positive" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    files, found = scan(argv[1:])
    for f in found:
        print(f)
    if files == 0:
        print("no C++ sources found under " + " ".join(argv[1:]), file=sys.stderr)
        return 2
    print(f"{files} files scanned, {len(found)} coroutine reference parameters")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
