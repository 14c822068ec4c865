// Privilege escalation: wrap a /bin/sh command in non-interactive sudo (never waits for a password prompt).
import { shellQuote } from "./quote.js";

export interface BecomeSettings {
  become: boolean;
  becomeUser?: string;
}

/** The command as sent: unchanged unless become is on and the login user is not already the target user. */
export function wrapBecome(command: string, loginUser: string, s: BecomeSettings): string {
  if (!s.become) return command;
  const target = s.becomeUser || "root";
  if (target === loginUser) return command;
  return `sudo -n -H -u ${shellQuote(target)} -- /bin/sh -c ${shellQuote(command)}`;
}

/** Is a become to a different user needed (so file transfers must go through a sudo'ed command)? */
export function needsSudo(loginUser: string, s: BecomeSettings): boolean {
  return s.become && (s.becomeUser || "root") !== loginUser;
}
