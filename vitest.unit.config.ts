import { defineConfig } from "vitest/config";

/**
 * `npm run test:unit`: the fast layer, feedback in seconds — the domain rules, the HTTP stack and the
 * stores (their AWS SDK calls answered by aws-sdk-client-mock). No Java, no DynamoDB Local, no server:
 * unlike `vitest.config.ts` there is no global setup to check for them.
 *
 * `npm run coverage`: the same tests with V8 coverage of the code they load (a text summary, and an
 * HTML report under coverage/). The integration and end-to-end suites run the system in a child
 * process (test/support/local.ts), whose code V8 coverage of the test process does not see.
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    // Milliseconds each on an idle machine; the bound is for a loaded one (2 cores shared).
    testTimeout: 30_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    coverage: {
      provider: "v8",
      include: ["lambdas/**/*.ts", "lib/**/*.ts", "bin/**/*.ts", "web/src/**/*.{ts,tsx}"],
      reporter: ["text-summary", "html", "json-summary"],
      reportsDirectory: "coverage",
      reportOnFailure: true,
    },
  },
});
