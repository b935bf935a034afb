import { Aws, Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccountRecovery,
  type CfnUserPoolClient,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
  UserPoolGroup,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

/** The roles of the API contract, carried in the ID token's `cognito:groups` claim. */
export const USER_GROUPS = ["admin", "organizer", "inspector", "unit", "official"] as const;

export type UserGroup = (typeof USER_GROUPS)[number];

const GROUP_DESCRIPTIONS: Record<UserGroup, string> = {
  admin: "Administers units, people and templates",
  organizer: "Plans spot checks and draws the inspection teams",
  inspector: "Visits units unannounced and records findings",
  unit: "Staff of an inspected unit (custom:unitId) who report rectifications",
  official: "Oversight: reads dashboards, bulletins and the audit trail",
};

/** Properties of {@link InspectionIdentity}. */
export interface InspectionIdentityProps {
  /**
   * What happens to the user pool when it leaves the stack.
   * @default RemovalPolicy.RETAIN — the accounts outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether Cognito refuses to delete the user pool.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * Stateful: the Cognito user pool that issues the ID tokens clients send as `Authorization: Bearer`.
 * Accounts are created by administrators only (no self sign-up); the `unitId` custom attribute becomes
 * the `custom:unitId` claim, which users cannot change themselves (the app client may not write it).
 */
export class InspectionIdentity extends Construct {
  /** The user pool. */
  readonly userPool: UserPool;
  /** The public (secret-less) app client; its id is the JWT audience. */
  readonly userPoolClient: UserPoolClient;
  /** One group per role, keyed by role name. */
  readonly groups: Readonly<Record<UserGroup, UserPoolGroup>>;

  constructor(scope: Construct, id: string, props: InspectionIdentityProps = {}) {
    super(scope, id);

    this.userPool = new UserPool(this, "UserPool", {
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: true },
      autoVerify: { email: true },
      signInCaseSensitive: false,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      customAttributes: {
        unitId: new StringAttribute({ minLen: 1, maxLen: 128, mutable: true }),
      },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: "AwsSolutions-COG2",
        reason:
          "MFA is OPTIONAL with TOTP by design: inspectors and unit staff sign in on shared field devices " +
          "without an authenticator; every account is created by an administrator (no self sign-up).",
      },
      {
        id: "AwsSolutions-COG8",
        reason:
          "The Essentials feature plan suffices: no self sign-up, and the web console's managed login signs in only " +
          "accounts that administrators created, so the Plus plan's threat protection (adaptive authentication " +
          "for public sign-up and sign-in) does not apply.",
      },
    );

    this.userPoolClient = this.userPool.addClient("AppClient", {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // Users may not rewrite custom:unitId (it decides which unit's data they see).
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    const groups: Partial<Record<UserGroup, UserPoolGroup>> = {};
    for (const name of USER_GROUPS) {
      groups[name] = new UserPoolGroup(this, `Group-${name}`, {
        userPool: this.userPool,
        groupName: name,
        description: GROUP_DESCRIPTIONS[name],
      });
    }
    this.groups = groups as Record<UserGroup, UserPoolGroup>;
  }

  /**
   * Cognito managed login for the web console: a Cognito domain, and the OAuth 2.0 authorization code
   * flow (the console uses PKCE; the client has no secret) with the `openid email profile` scopes on the
   * app client, redirecting only to `callbackUrls`. The ID token it returns is the same the API accepts.
   * SRP sign-in stays enabled for other clients.
   */
  enableManagedLogin(options: {
    readonly domainPrefix: string;
    readonly callbackUrls: readonly string[];
    readonly logoutUrls: readonly string[];
  }): UserPoolDomain {
    const domain = this.userPool.addDomain("SignInDomain", {
      cognitoDomain: { domainPrefix: options.domainPrefix },
    });
    const client = this.userPoolClient.node.defaultChild as CfnUserPoolClient;
    client.allowedOAuthFlowsUserPoolClient = true;
    client.allowedOAuthFlows = ["code"];
    client.allowedOAuthScopes = ["openid", "email", "profile"];
    client.supportedIdentityProviders = ["COGNITO"];
    client.callbackUrLs = [...options.callbackUrls];
    client.logoutUrLs = [...options.logoutUrls];
    return domain;
  }

  /**
   * The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>` (the URL suffix
   * follows the partition).
   */
  get issuerUrl(): string {
    return `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
  }
}
