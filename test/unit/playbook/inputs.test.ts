// Typed input rules (pure): each type accepts what the node-side tools accept and refuses the rest.
import { describe, expect, it } from "vitest";
import { inputMessage, inputProblem, isSecretVar, type InputSpec } from "../../../src/playbook/inputs.js";

const ok = (spec: InputSpec, v: unknown) => expect(inputProblem(spec, v), `${spec.type} ${JSON.stringify(v)}`).toBeUndefined();
const bad = (spec: InputSpec, v: unknown, re: RegExp) => expect(inputProblem(spec, v), `${spec.type} ${JSON.stringify(v)}`).toMatch(re);

describe("inputProblem", () => {
  it("ipv4 / hostname / host", () => {
    for (const v of ["10.0.0.5", "0.0.0.0", "255.255.255.255"]) ok({ type: "ipv4" }, v);
    for (const v of ["10.0.0.256", "10.0.0", "010.0.0.1", "1.2.3.4 ", "a.b.c.d"]) bad({ type: "ipv4" }, v, /IPv4/);
    for (const v of ["collector", "log-1.example.com", "a", "x.y."]) ok({ type: "hostname" }, v);
    for (const v of ["-bad", "bad-", "a b", "a_b", "$(id)", "a..b", "x".repeat(64)]) bad({ type: "hostname" }, v, /host name/);
    ok({ type: "host" }, "10.0.0.5");
    ok({ type: "host" }, "collector.local");
    bad({ type: "host" }, "10.0.0.5; reboot", /IPv4 address or a host name/);
  });
  it("port / integer with bounds / boolean", () => {
    for (const v of [1, "22", 65535]) ok({ type: "port" }, v);
    for (const v of [0, 65536, "http", "22.0", -1]) bad({ type: "port" }, v, /port number/);
    ok({ type: "integer", min: 1, max: 10 }, "10");
    bad({ type: "integer", min: 1, max: 10 }, 11, /<= 10/);
    bad({ type: "integer", min: 1 }, "0", />= 1/);
    bad({ type: "integer" }, "1e3", /whole number/);
    for (const v of [true, false, "true", "false"]) ok({ type: "boolean" }, v);
    for (const v of ["yes", "maybe", 1]) bad({ type: "boolean" }, v, /true or false/);
  });
  it("interface / version / mac / path / list", () => {
    for (const v of ["eth0", "ens18", "bond0.100", "br-1a2b"]) ok({ type: "interface" }, v);
    for (const v of ["eth0/1", "a".repeat(16), "..", "eth 0", "eth0:1"]) bad({ type: "interface" }, v, /interface/);
    for (const v of ["5.4.94-1.el7.elrepo", "v1.0.0-rc9", "1.1.1", "2:1.0~rc1"]) ok({ type: "version" }, v);
    for (const v of ["1 2", "5.4;reboot", "-1"]) bad({ type: "version" }, v, /version/);
    ok({ type: "mac" }, "52:54:00:AB:cd:01");
    bad({ type: "mac" }, "52-54-00-ab-cd-01", /MAC/);
    ok({ type: "path" }, "/usr/bin/runc");
    bad({ type: "path" }, "usr/bin/runc", /absolute/);
    ok({ type: "list", pattern: "\\S+\\.rpm" }, ["a.rpm", "b.rpm"]);
    ok({ type: "list" }, []);
    bad({ type: "list" }, "a.rpm", /list of strings/);
    bad({ type: "list", pattern: "\\S+\\.rpm" }, ["a.rpm", "b.txt"], /item 1 must match/);
  });
  it("empty means unset unless required; enum and pattern match the whole value; no list where one value belongs", () => {
    ok({ type: "ipv4" }, "");
    bad({ type: "ipv4", required: true }, "", /required/);
    bad({ type: "string", enum: ["a", "b"] }, "c", /one of "a", "b"/);
    bad({ type: "string", pattern: "[a-z]+" }, "abc1", /must match/);
    bad({ type: "string" }, ["x"], /not a list/);
    bad({ type: "port" }, { a: 1 }, /not a mapping/);
  });
  it("messages show the value only when it is not secret", () => {
    expect(inputMessage("db_pwd", { type: "string" }, "hunter2", "must match /x/")).toBe('input "db_pwd" must match /x/');
    expect(inputMessage("motd", { type: "string", secret: true }, "hunter2", "bad")).toBe('input "motd" bad');
    expect(inputMessage("port", { type: "port" }, "x", "bad")).toBe('input "port" "x" bad');
    expect(isSecretVar("SSH_Private_Key")).toBe(true);
    expect(isSecretVar("motd", { type: "string", secret: true })).toBe(true);
    expect(isSecretVar("motd")).toBe(false);
  });
});
