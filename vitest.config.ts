import { defineConfig } from "vitest/config";
import LongestFirst from "./test/support/sequencer";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The end-to-end files each start a server (`npm start`; the browser files' with a table in the
    // run's one DynamoDB Local), the integration files the system in their own process (with a table
    // in it too); two at a time fit the 2-core machines this runs on.
    maxWorkers: 2,
    // The longest files first (test/support/sequencer.ts), so that the run does not end on one.
    sequence: { sequencer: LongestFirst },
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
