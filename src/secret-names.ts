// Which variable names hold secrets, in one place for the redactor, `remedy inventory` and typed inputs.
// The path of a private key file (ansible_ssh_private_key_file) is not itself secret.
const SECRET = /password|passwd|pwd|passphrase|token|secret|private[_ -]?key(?![_-]?(file|path))|credential|api[_-]?key|pass$/i;

export function isSecretName(name: string): boolean {
  return SECRET.test(name);
}
