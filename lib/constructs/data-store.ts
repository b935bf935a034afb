import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { INDEX_PROJECTION } from "../../lambdas/data/keys";

/** The global secondary indexes of the single table: name → partition and sort key attribute. */
export const GLOBAL_SECONDARY_INDEXES = [
  { indexName: "GSI1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
  { indexName: "GSI2", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  { indexName: "GSI3", partitionKey: "gsi3pk", sortKey: "gsi3sk" },
] as const;

/** The attribute DynamoDB reads the item expiry (epoch seconds) from. */
export const TTL_ATTRIBUTE = "expiration";

/**
 * Item and index actions of the handlers (single-item reads and writes, queries, transactions —
 * `TransactWriteItems` is authorized per item by `PutItem`/`UpdateItem`/`DeleteItem`/`ConditionCheckItem`).
 * No `Scan`: no handler lists by scanning. `DeleteItem` for the outbox items and Powertools
 * idempotency records of failed requests.
 */
const READ_WRITE_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
];

/** Properties of {@link InspectionTable}. */
export interface InspectionTableProps {
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN — inspection records are evidence and must outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether DynamoDB refuses `DeleteTable`.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * Stateful: the single DynamoDB table holding every entity (units, inspectors, templates, spot checks,
 * assignments, rectification orders, audit entries, idempotency records). Keys `pk`/`sk`, three
 * overloaded string GSIs, TTL on `expiration`, on-demand capacity, point-in-time recovery, and a
 * change stream (new and old images) that drives the workflow.
 *
 * It is an `AWS::DynamoDB::Table` (not `GlobalTable`) so that the synthesized template carries the
 * KeySchema, AttributeDefinitions, GlobalSecondaryIndexes and TimeToLiveSpecification that the local
 * runtime uses to recreate the table in DynamoDB Local.
 */
export class InspectionTable extends Construct {
  /** The table. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: InspectionTableProps = {}) {
    super(scope, id);

    this.table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // The change stream feeds the workflow's change relay (old and new images: it is filtered on
      // status transitions).
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });

    for (const gsi of GLOBAL_SECONDARY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        // Whole items, or only the attributes queries filter on (lambdas/data/keys.ts says why).
        ...projectionOf(INDEX_PROJECTION[gsi.indexName]),
      });
    }
  }

  /** The table name, for a function's `TABLE_NAME`. */
  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Item read/write on the table and its three indexes, each index named by its ARN (no `index/*`
   * wildcard, unlike `Table.grantReadWriteData`).
   */
  grantReadWrite(grantee: IGrantable): Grant {
    const indexArns = GLOBAL_SECONDARY_INDEXES.map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`);
    return Grant.addToPrincipal({
      grantee,
      actions: READ_WRITE_ACTIONS,
      resourceArns: [this.table.tableArn, ...indexArns],
    });
  }
}

function projectionOf(projection: readonly string[] | "ALL") {
  return projection === "ALL"
    ? { projectionType: ProjectionType.ALL }
    : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection] };
}
