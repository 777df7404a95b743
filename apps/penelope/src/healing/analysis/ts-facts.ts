import ts from 'typescript';
import type { CodeFacts, StatementFact } from '../../domain/facts.js';

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all', 'route']);
const DECLARATIONS = new Set([ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.Constructor, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor]);
const JUMPS = new Set([ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.ThrowStatement, ts.SyntaxKind.BreakStatement, ts.SyntaxKind.ContinueStatement]);
const TYPE_ONLY = new Set([ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration]);

function scriptKind(path: string): ts.ScriptKind {
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.(jsx)$/.test(path)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** Parses one file with the compiler (no type check) and collects its {@link CodeFacts}, plus the node kinds in pre-order (its code shape). */
export function tsFacts(path: string, text: string): CodeFacts & { kinds: string[] } {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  const parseOk = ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? []).length === 0;
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const facts: CodeFacts & { kinds: string[] } = { parse_ok: parseOk, functions: [], statements: [], public_api: [], kinds: [] };
  const hasEsmExports = sf.statements.some((s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s) || hasModifier(s, ts.SyntaxKind.ExportKeyword));
  const exportedNames = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)) for (const e of s.exportClause.elements) exportedNames.add((e.propertyName ?? e.name).text);
  }

  const isPublicTop = (node: ts.Node, name: string) => (hasEsmExports ? hasModifier(node, ts.SyntaxKind.ExportKeyword) || exportedNames.has(name) : !name.startsWith('_'));

  function visit(node: ts.Node, scope: string[], depth: number): void {
    facts.kinds.push(ts.SyntaxKind[node.kind]);
    const fn = functionName(node);
    let inner = scope;
    if (fn !== undefined) {
      const name = [...scope, fn].join('.');
      facts.functions.push({ name, start_line: lineOf(node.getStart(sf)), end_line: lineOf(node.getEnd()) });
      inner = [...scope, fn];
    } else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      inner = [...scope, node.name?.text ?? '<class>'];
    }
    if (isStatement(node)) facts.statements.push(statementFact(node, depth));
    if (ts.isCallExpression(node)) route(node);
    const childDepth = isStatement(node) ? depth + 1 : depth;
    ts.forEachChild(node, (child) => visit(child, inner, childDepth));
  }

  function statementFact(node: ts.Node, depth: number): StatementFact {
    return {
      start_line: lineOf(node.getStart(sf)),
      end_line: lineOf(node.getEnd()),
      depth,
      effectful: !DECLARATIONS.has(node.kind) && !TYPE_ONLY.has(node.kind) && !ts.isImportDeclaration(node) && hasEffect(node),
      declaration: DECLARATIONS.has(node.kind),
      unreachable: afterJump(node),
      text: node.getText(sf).replace(/\s+/g, ' '),
    };
  }

  function route(call: ts.CallExpression): void {
    const callee = call.expression;
    const first = call.arguments[0];
    if (!ts.isPropertyAccessExpression(callee) || !ROUTE_METHODS.has(callee.name.text) || !first || !ts.isStringLiteralLike(first) || !first.text.startsWith('/')) return;
    facts.public_api.push({ kind: 'route', name: `${callee.name.text.toUpperCase()} ${first.text}`, signature: '' });
  }

  // The public surface: top-level declarations (and the public methods of public classes).
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && isPublicTop(s, s.name.text)) facts.public_api.push({ kind: 'function', name: s.name.text, signature: signature(s, sf) });
    if (ts.isClassDeclaration(s) && s.name && isPublicTop(s, s.name.text)) {
      facts.public_api.push({ kind: 'class', name: s.name.text, signature: '' });
      for (const m of s.members) {
        const name = m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : ts.isConstructorDeclaration(m) ? 'constructor' : undefined;
        if (!name || hasModifier(m, ts.SyntaxKind.PrivateKeyword) || (m.name && ts.isPrivateIdentifier(m.name))) continue;
        if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) facts.public_api.push({ kind: 'method', name: `${s.name.text}.${name}`, signature: signature(m, sf) });
      }
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer || !isPublicTop(s, d.name.text) && !exportedNames.has(d.name.text)) continue;
        if (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)) facts.public_api.push({ kind: 'function', name: d.name.text, signature: signature(d.initializer, sf) });
      }
    }
  }
  visit(sf, [], 0);
  facts.kinds.shift(); // the SourceFile node itself
  return facts;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function functionName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) return node.name ? node.name.getText() : '<anonymous>';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
    return node.name?.text ?? '<anonymous>';
  }
  return undefined;
}

function isStatement(node: ts.Node): boolean {
  if (node.kind >= ts.SyntaxKind.FirstStatement && node.kind <= ts.SyntaxKind.LastStatement) return true;
  return (
    ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isExportAssignment(node) ||
    ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node) ||
    ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isPropertyDeclaration(node)
  );
}

/** A call, `new`, await, yield, throw, delete, or an assignment to a property or element anywhere inside (not inside nested functions). */
function hasEffect(node: ts.Node): boolean {
  let found = false;
  const walk = (n: ts.Node): void => {
    if (found) return;
    if (n !== node && (ts.isFunctionLike(n) || ts.isClassLike(n))) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isAwaitExpression(n) || ts.isYieldExpression(n) || ts.isThrowStatement(n) || ts.isDeleteExpression(n) || ts.isTaggedTemplateExpression(n)) {
      found = true;
      return;
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left))) {
      found = true;
      return;
    }
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && !ts.isIdentifier(n.operand)) {
      found = true;
      return;
    }
    ts.forEachChild(n, walk);
  };
  walk(node);
  return found;
}

/** A statement after a return/throw/break/continue in the same block. */
function afterJump(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent || !(ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isModuleBlock(parent))) return false;
  const siblings = (parent as ts.Block).statements;
  for (const s of siblings) {
    if (s === node) return false;
    if (JUMPS.has(s.kind)) return !ts.isFunctionDeclaration(node); // hoisted declarations still exist
  }
  return false;
}

/** `async (a: T, b?: U, ...c): R`, whitespace collapsed: names, optionality, rest, defaults, types. */
function signature(node: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  const params = node.parameters.map((p) => `${p.dotDotDotToken ? '...' : ''}${p.name.getText(sf)}${p.questionToken ? '?' : ''}${p.type ? `: ${p.type.getText(sf)}` : ''}${p.initializer ? ' = …' : ''}`);
  const isAsync = hasModifier(node, ts.SyntaxKind.AsyncKeyword) ? 'async ' : '';
  const generator = (node as { asteriskToken?: unknown }).asteriskToken ? '*' : '';
  const type = node.type ? `: ${node.type.getText(sf)}` : '';
  return `${isAsync}${generator}(${params.join(', ')})${type}`.replace(/\s+/g, ' ');
}
