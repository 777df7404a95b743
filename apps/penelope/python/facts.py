"""PENELOPE: facts about Python sources for the mansidao measurement and the code shape, from Python's `ast` module.

Reads {"files": [{"key": str, "text": str}]} as JSON on stdin; writes {key: facts} as JSON on stdout. The facts are
described in apps/penelope/src/domain/facts.ts (CodeFacts) plus `kinds`, the AST node kinds in pre-order.
"""
import ast
import json
import sys

ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket"}
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
JUMPS = (ast.Return, ast.Raise, ast.Break, ast.Continue)


def signature(fn):
    a = fn.args
    parts = []
    positional = a.posonlyargs + a.args
    n_defaults = len(a.defaults)
    for i, arg in enumerate(positional):
        has_default = i >= len(positional) - n_defaults
        parts.append(arg.arg + ("=…" if has_default else ""))
        if a.posonlyargs and i == len(a.posonlyargs) - 1:
            parts.append("/")
    if a.vararg:
        parts.append("*" + a.vararg.arg)
    elif a.kwonlyargs:
        parts.append("*")
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        parts.append(arg.arg + ("=…" if default is not None else ""))
    if a.kwarg:
        parts.append("**" + a.kwarg.arg)
    prefix = "async " if isinstance(fn, ast.AsyncFunctionDef) else ""
    return prefix + "(" + ", ".join(parts) + ")"


def has_effect(node):
    for n in walk_local(node):
        if isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.Raise, ast.Delete, ast.Global, ast.Nonlocal)):
            return True
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in targets):
                return True
    return False


def walk_local(node):
    """ast.walk without descending into nested functions, lambdas and classes."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        for child in ast.iter_child_nodes(n):
            if isinstance(child, FUNCS + (ast.Lambda, ast.ClassDef)):
                continue
            todo.append(child)


def route_of(decorator):
    if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr in ROUTE_METHODS:
        if decorator.args and isinstance(decorator.args[0], ast.Constant) and isinstance(decorator.args[0].value, str) and decorator.args[0].value.startswith("/"):
            method = decorator.func.attr.upper()
            return method + " " + decorator.args[0].value
    return None


def facts(text):
    out = {"parse_ok": True, "functions": [], "statements": [], "public_api": [], "kinds": []}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        out["parse_ok"] = False
        return out
    lines = [line.encode("utf-8") for line in text.split("\n")]

    def source(node):
        # ast.get_source_segment splits the whole text on every call: quadratic on big files.
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        if last >= len(lines):
            return ""
        if first == last:
            seg = lines[first][node.col_offset:node.end_col_offset]
        else:
            seg = b"\n".join([lines[first][node.col_offset:]] + lines[first + 1:last] + [lines[last][:node.end_col_offset]])
        return " ".join(seg.decode("utf-8", "replace").split())

    def visit_body(body, scope, depth):
        jumped = False
        for stmt in body:
            visit_stmt(stmt, scope, depth, jumped)
            if isinstance(stmt, JUMPS):
                jumped = True

    def visit_stmt(stmt, scope, depth, unreachable):
        declaration = isinstance(stmt, FUNCS + (ast.ClassDef,))
        out["statements"].append({
            "start_line": stmt.lineno,
            "end_line": getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno,
            "depth": depth,
            "effectful": (not declaration) and not isinstance(stmt, (ast.Import, ast.ImportFrom)) and has_effect(stmt),
            "declaration": declaration,
            "unreachable": unreachable,
            "text": source(stmt),
        })
        inner = scope
        if isinstance(stmt, FUNCS):
            start = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            out["functions"].append({"name": ".".join(scope + [stmt.name]), "start_line": start, "end_line": stmt.end_lineno})
            inner = scope + [stmt.name]
            for d in stmt.decorator_list:
                r = route_of(d)
                if r:
                    out["public_api"].append({"kind": "route", "name": r, "signature": ""})
        elif isinstance(stmt, ast.ClassDef):
            inner = scope + [stmt.name]
        for field in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, field, None)
            if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                visit_body(sub, inner, depth + 1)
        for handler in getattr(stmt, "handlers", []) or []:
            visit_body(handler.body, inner, depth + 1)
        for case in getattr(stmt, "cases", []) or []:
            visit_body(case.body, inner, depth + 1)

    visit_body(tree.body, [], 0)

    def public(name):
        return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))

    for stmt in tree.body:
        if isinstance(stmt, FUNCS) and public(stmt.name) and not stmt.name.startswith("__"):
            out["public_api"].append({"kind": "function", "name": stmt.name, "signature": signature(stmt)})
        elif isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
            out["public_api"].append({"kind": "class", "name": stmt.name, "signature": ""})
            for m in stmt.body:
                if isinstance(m, FUNCS) and public(m.name):
                    out["public_api"].append({"kind": "method", "name": stmt.name + "." + m.name, "signature": signature(m)})

    for node in ast.walk(tree):
        if isinstance(node, (ast.stmt, ast.expr)):
            out["kinds"].append(type(node).__name__)
    return out


def main():
    request = json.load(sys.stdin)
    result = {f["key"]: facts(f["text"]) for f in request["files"]}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
