import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { SpotInspectionStack } from "./spot-inspection-stack";

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Bundle the handlers with esbuild. `false` skips bundling for every stack (context
   * `aws:cdk:bundling-stacks: []`): the template is complete, the function code assets are not.
   * @default true
   */
  readonly bundling?: boolean;
  /**
   * Cloud assembly directory.
   * @default - `CDK_OUTDIR` under the CDK CLI, else a fresh temporary directory
   */
  readonly outdir?: string;
  /**
   * Run the cdk-nag packs at synth (an unacknowledged finding fails it). The local runtime turns this
   * off: a cloud-hardening finding is the infrastructure suite's to report, not a reason the system
   * cannot start on one machine. `false` also turns off CDK's built-in CloudFormation template
   * validation (about 10 s of CPU on two cores, most of the local start-up before it was off; it only
   * warns at synth anyway).
   * @default true
   */
  readonly policyChecks?: boolean;
}

/** Stack id (and CloudFormation stack name) of the system. */
export const STACK_ID = "SpotInspections";

/**
 * The CDK app: the `SpotInspections` stack, checked by the cdk-nag AWS Solutions and Serverless packs
 * (cdk-nag 3 runs as CDK policy-validation plugins: `app.synth()` throws on an unacknowledged finding).
 * `bin/app.ts` synthesizes it for the CDK CLI; the local runtime calls it with `bundling: false` and
 * reads the synthesized template.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: SpotInspectionStack } {
  const app = new App({
    outdir: options.outdir,
    builtinCloudFormationValidation: options.policyChecks !== false,
    context: options.bundling === false ? { "aws:cdk:bundling-stacks": [] } : {},
  });
  const stack = new SpotInspectionStack(app, STACK_ID);
  if (options.policyChecks !== false) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  return { app, stack };
}
