// A small well-formedness checker + XML Schema validator for the subset junit-10.xsd uses: global
// elements (name/ref/type), named and inline complexType (mixed, sequence, choice, min/maxOccurs,
// attribute use=required), simpleType restriction by pattern, xs:string. No dependencies.

export interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** concatenated character data directly inside this element */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(s: string, where: number): string {
  if (s.includes("<")) throw new Error(`raw "<" in character data near offset ${where}`);
  if (BAD_CHAR.test(s)) throw new Error(`character not allowed in XML 1.0 near offset ${where}`);
  return s.replace(/&([^;\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(";")) throw new Error(`unterminated entity near offset ${where}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = name.match(/^#(x[0-9a-fA-F]+|[0-9]+)$/);
    if (num) return String.fromCodePoint(num[1]!.startsWith("x") ? Number.parseInt(num[1]!.slice(1), 16) : Number(num[1]));
    throw new Error(`unknown entity &${name}; near offset ${where}`);
  });
}

/** Parse a whole document; throws on anything not well-formed. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      const ws = src.slice(i).match(/^\s*/)![0];
      i += ws.length;
      if (src.startsWith("<?", i)) {
        const end = src.indexOf("?>", i);
        if (end < 0) throw new Error("unterminated processing instruction");
        i = end + 2;
      } else if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) throw new Error("unterminated comment");
        i = end + 3;
      } else return;
    }
  };
  const parseElement = (): XmlElement => {
    const open = src.slice(i).match(/^<([A-Za-z_][\w.:-]*)/);
    if (!open) throw new Error(`expected an element at offset ${i}`);
    const el: XmlElement = { name: open[1]!, attrs: new Map(), children: [], text: "" };
    i += open[0].length;
    for (;;) {
      const ws = src.slice(i).match(/^\s*/)![0];
      i += ws.length;
      if (src.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      if (!ws) throw new Error(`expected whitespace before an attribute of <${el.name}> at offset ${i}`);
      const a = src.slice(i).match(/^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/);
      if (!a) throw new Error(`malformed attribute in <${el.name}> at offset ${i}`);
      if (el.attrs.has(a[1]!)) throw new Error(`duplicate attribute ${a[1]} in <${el.name}>`);
      el.attrs.set(a[1]!, decode(a[3] ?? a[4] ?? "", i));
      i += a[0].length;
    }
    for (;;) {
      const lt = src.indexOf("<", i);
      if (lt < 0) throw new Error(`<${el.name}> is never closed`);
      el.text += decode(src.slice(i, lt), i);
      i = lt;
      if (src.startsWith("</", i)) {
        const close = src.slice(i).match(/^<\/([A-Za-z_][\w.:-]*)\s*>/);
        if (!close || close[1] !== el.name) throw new Error(`</${close?.[1] ?? "?"}> closes <${el.name}> at offset ${i}`);
        i += close[0].length;
        return el;
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) throw new Error("unterminated comment");
        i = end + 3;
      } else if (src.startsWith("<![CDATA[", i)) {
        const end = src.indexOf("]]>", i);
        if (end < 0) throw new Error("unterminated CDATA");
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else el.children.push(parseElement());
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i !== src.length) throw new Error(`content after the root element at offset ${i}`);
  return root;
}

// ---- schema model

type Particle =
  | { kind: "element"; name: string; min: number; max: number }
  | { kind: "sequence" | "choice"; items: Particle[]; min: number; max: number };

interface AttrDecl {
  name: string;
  type: string;
  required: boolean;
}

interface TypeDecl {
  /** simple content (xs:string): text only, no attributes, no children */
  simple: boolean;
  mixed: boolean;
  content?: Particle;
  attrs: AttrDecl[];
}

export interface Schema {
  elements: Map<string, TypeDecl>;
  patterns: Map<string, RegExp>;
}

const XS = (el: XmlElement, local: string) => el.name === `xs:${local}` || el.name === `xsd:${local}`;
const occurs = (el: XmlElement) => ({
  min: el.attrs.has("minOccurs") ? Number(el.attrs.get("minOccurs")) : 1,
  max: el.attrs.get("maxOccurs") === "unbounded" ? Infinity : el.attrs.has("maxOccurs") ? Number(el.attrs.get("maxOccurs")) : 1,
});

export function loadSchema(xsdText: string): Schema {
  const root = parseXml(xsdText);
  const named = new Map<string, XmlElement>();
  const patterns = new Map<string, RegExp>();
  for (const c of root.children) {
    if (XS(c, "complexType")) named.set(c.attrs.get("name")!, c);
    if (XS(c, "simpleType")) {
      const p = c.children.find((x) => XS(x, "restriction"))?.children.find((x) => XS(x, "pattern"));
      if (p) patterns.set(c.attrs.get("name")!, new RegExp(`^(?:${p.attrs.get("value")})$`));
    }
  }
  const particle = (el: XmlElement): Particle | undefined => {
    if (XS(el, "element")) return { kind: "element", name: el.attrs.get("ref") ?? el.attrs.get("name")!, ...occurs(el) };
    if (XS(el, "sequence") || XS(el, "choice")) {
      return { kind: XS(el, "sequence") ? "sequence" : "choice", items: el.children.map(particle).filter((p): p is Particle => p !== undefined), ...occurs(el) };
    }
    return undefined;
  };
  const complex = (ct: XmlElement): TypeDecl => ({
    simple: false,
    mixed: ct.attrs.get("mixed") === "true",
    content: ct.children.map(particle).find((p) => p !== undefined),
    attrs: ct.children.filter((a) => XS(a, "attribute")).map((a) => ({ name: a.attrs.get("name")!, type: a.attrs.get("type") ?? "xs:string", required: a.attrs.get("use") === "required" })),
  });
  const elements = new Map<string, TypeDecl>();
  const declare = (el: XmlElement) => {
    const name = el.attrs.get("name")!;
    const type = el.attrs.get("type");
    const inline = el.children.find((x) => XS(x, "complexType"));
    if (inline) elements.set(name, complex(inline));
    else if (type && named.has(type)) elements.set(name, complex(named.get(type)!));
    else elements.set(name, { simple: true, mixed: true, attrs: [] });
  };
  for (const c of root.children) if (XS(c, "element")) declare(c);
  // local element declarations (rerunType's stackTrace...) are xs:string
  const walk = (el: XmlElement) => {
    for (const c of el.children) {
      if (XS(c, "element") && c.attrs.has("name") && !elements.has(c.attrs.get("name")!)) declare(c);
      walk(c);
    }
  };
  walk(root);
  return { elements, patterns };
}

/** End positions reachable by matching particle p against names starting at pos. */
function match(p: Particle, names: string[], pos: number): Set<number> {
  const once = (start: number): Set<number> => {
    if (p.kind === "element") return names[start] === p.name ? new Set([start + 1]) : new Set();
    if (p.kind === "choice") {
      const out = new Set<number>();
      for (const item of p.items) for (const e of match(item, names, start)) out.add(e);
      return out;
    }
    let cur = new Set([start]);
    for (const item of p.items) {
      const next = new Set<number>();
      for (const s of cur) for (const e of match(item, names, s)) next.add(e);
      cur = next;
    }
    return cur;
  };
  let frontier = new Set([pos]);
  const result = new Set<number>(p.min === 0 ? [pos] : []);
  const seen = new Set<string>();
  for (let n = 1; n <= p.max && frontier.size; n++) {
    const next = new Set<number>();
    for (const s of frontier) for (const e of once(s)) next.add(e);
    const key = [...next].sort().join(",");
    if (seen.has(key)) break; // no progress possible any more (unbounded repetition)
    seen.add(key);
    if (n >= p.min) for (const e of next) result.add(e);
    frontier = next;
  }
  return result;
}

/** Validate the document's root (and everything under it); returns problems, [] when valid. */
export function validate(doc: XmlElement, schema: Schema): string[] {
  const problems: string[] = [];
  const check = (el: XmlElement, path: string) => {
    const here = `${path}/${el.name}`;
    const decl = schema.elements.get(el.name);
    if (!decl) return void problems.push(`${here}: element not declared`);
    const declared = new Map(decl.attrs.map((a) => [a.name, a]));
    for (const [k, v] of el.attrs) {
      if (k === "xmlns" || k.startsWith("xmlns:")) continue;
      const a = declared.get(k);
      if (!a) problems.push(`${here}: attribute "${k}" not allowed`);
      else if (schema.patterns.has(a.type) && !schema.patterns.get(a.type)!.test(v)) problems.push(`${here}: attribute ${k}="${v}" does not match ${a.type}`);
    }
    for (const a of decl.attrs) if (a.required && !el.attrs.has(a.name)) problems.push(`${here}: required attribute "${a.name}" missing`);
    if (decl.simple && el.children.length) problems.push(`${here}: text-only element has child elements`);
    if (!decl.mixed && el.text.trim()) problems.push(`${here}: text not allowed here`);
    if (!decl.simple) {
      const names = el.children.map((c) => c.name);
      const ok = decl.content ? match(decl.content, names, 0).has(names.length) : names.length === 0;
      if (!ok) problems.push(`${here}: children <${names.join("><")}> do not fit the content model`);
    }
    for (const c of el.children) check(c, here);
  };
  check(doc, "");
  return problems;
}
