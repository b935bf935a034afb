import { createServer, type Server } from "node:http";
import { type LocalStepFunctions, StepFunctionsError } from "./step-functions";

/**
 * An AWS JSON 1.0 endpoint for the Step Functions API calls the handlers make (StartExecution,
 * SendTaskSuccess, SendTaskFailure, DescribeExecution). The handlers' unchanged `@aws-sdk/client-sfn`
 * client is pointed here by `SFN_ENDPOINT`.
 */
export async function startStepFunctionsEndpoint(
  sfn: LocalStepFunctions,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const action = target.split(".").pop() ?? "";
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
      } catch {
        return reply(400, { __type: "SerializationException", message: "Malformed JSON" });
      }
      try {
        switch (action) {
          case "StartExecution": {
            let input: unknown;
            try {
              input = JSON.parse(typeof body.input === "string" ? body.input : "{}");
            } catch {
              return reply(400, { __type: "InvalidExecutionInput", message: "Invalid execution input" });
            }
            const out = sfn.startExecution(typeof body.name === "string" ? body.name : undefined, input);
            return reply(200, {
              executionArn: out.executionArn,
              startDate: Date.parse(out.startDate) / 1000,
            });
          }
          case "SendTaskSuccess":
            sfn.sendTaskSuccess(String(body.taskToken ?? ""), String(body.output ?? "{}"));
            return reply(200, {});
          case "SendTaskFailure":
            sfn.sendTaskFailure(
              String(body.taskToken ?? ""),
              typeof body.error === "string" ? body.error : undefined,
              typeof body.cause === "string" ? body.cause : undefined,
            );
            return reply(200, {});
          case "DescribeExecution": {
            const e = sfn.describeExecution(String(body.executionArn ?? ""));
            return reply(200, {
              executionArn: e.executionArn,
              name: e.name,
              status: e.status,
              input: JSON.stringify(e.input),
              startDate: Date.parse(e.startDate) / 1000,
              ...(e.stopDate ? { stopDate: Date.parse(e.stopDate) / 1000 } : {}),
              ...(e.status === "SUCCEEDED" ? { output: JSON.stringify(e.output ?? null) } : {}),
              ...(e.error !== undefined ? { error: e.error } : {}),
              ...(e.cause !== undefined ? { cause: e.cause } : {}),
              stateMachineArn: sfn.stateMachineArn,
            });
          }
          default:
            return reply(400, {
              __type: "UnknownOperationException",
              message: `Not supported locally: ${action}`,
            });
        }
      } catch (error) {
        if (error instanceof StepFunctionsError)
          return reply(400, { __type: error.name, message: error.message });
        return reply(500, {
          __type: "InternalFailure",
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
    function reply(status: number, payload: unknown) {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(payload));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
