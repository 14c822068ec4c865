// Pure: `npm run bench -- --hosts 1,10,100 --repeat 3 ...` -> options (errors name the flag and the fix).
export const ALL_TOOLS = ["remedy", "ansible-defaults", "ansible-tuned", "ansible-raw"];

export const USAGE = `usage: npm run bench -- [--hosts 1,10,100] [--repeat 3] [--tools ${ALL_TOOLS.join(",")}]
       [--os mix|el7|el9] [--out bench/results] [--no-apply] [--lab-dir /var/lib/remedy-lab-bench] [--start-index 5000]
  --hosts     lab sizes, comma-separated (1, 10, 50, 100, 200, 500 are the reference points; 1..1000)
  --repeat    timed runs per tool and size, interleaved (median, min, max)
  --tools     which tools/configurations to time
  --os        node personalities: mix = half CentOS 7, half Rocky 9
  --no-apply  skip the full apply of playbooks/ethtool-offload.yml + playbooks/sysctl-revert.yml`;

export function parseArgs(argv) {
  const o = {
    hosts: [1, 10, 100],
    repeat: 3,
    tools: [...ALL_TOOLS],
    os: "mix",
    out: "bench/results",
    apply: true,
    labDir: "/var/lib/remedy-lab-bench",
    startIndex: 5000,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`bench: ${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (v, lo, hi) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`bench: ${flag} ${v}: expected an integer from ${lo} to ${hi}`);
      return n;
    };
    switch (flag) {
      case "--hosts":
        o.hosts = [...new Set(value().split(",").filter(Boolean).map((v) => int(v.trim(), 1, 1000)))].sort((a, b) => a - b);
        break;
      case "--repeat":
        o.repeat = int(value(), 1, 50);
        break;
      case "--tools": {
        o.tools = value().split(",").map((t) => t.trim()).filter(Boolean);
        const bad = o.tools.filter((t) => !ALL_TOOLS.includes(t));
        if (bad.length) throw new Error(`bench: --tools ${bad.join(",")}: unknown; choose from ${ALL_TOOLS.join(", ")}`);
        break;
      }
      case "--os": {
        const v = value();
        if (!["mix", "el7", "el9"].includes(v)) throw new Error(`bench: --os ${v}: expected mix, el7 or el9`);
        o.os = v;
        break;
      }
      case "--out":
        o.out = value();
        break;
      case "--no-apply":
        o.apply = false;
        break;
      case "--lab-dir":
        o.labDir = value();
        break;
      case "--start-index":
        o.startIndex = int(value(), 1, 60000);
        break;
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new Error(`bench: unknown argument ${a}\n${USAGE}`);
    }
  }
  if (o.hosts.length === 0) throw new Error("bench: --hosts needs at least one size");
  return o;
}

/** Node personalities for a lab of n nodes. */
export function osSplit(n, os) {
  if (os === "el7") return { el7: n, el9: 0 };
  if (os === "el9") return { el7: 0, el9: n };
  return { el7: Math.ceil(n / 2), el9: Math.floor(n / 2) };
}

/** Tool order for repeat r: rotated, so no tool always runs first (cold caches) or last. */
export function interleave(tools, r) {
  const k = r % Math.max(tools.length, 1);
  return [...tools.slice(k), ...tools.slice(0, k)];
}
