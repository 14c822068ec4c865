import { defineConfig } from "vitest/config";

const timeouts = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    // once per run (not per project): installs missing Debian packages (sshd, ansible-core, ...) when run as root
    globalSetup: ["test/global-setup.ts"],
    ...timeouts,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      // labs, real sshd, spawned CLIs; files set process.env (state/cache dirs) for their runs: one process each.
      // Named to sort first: the long files start early and the short unit files fill the end.
      { test: { name: "integration", include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"], ...timeouts } },
      // pure and in-process tests (no env, timer or module mocks): one process serves many files, which halves
      // their CPU (each isolated file paid a process start and a fresh import of vitest and src)
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], isolate: false, setupFiles: ["test/helpers/unit-setup.ts"], ...timeouts } },
    ],
  },
});
