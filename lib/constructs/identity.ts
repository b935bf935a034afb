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
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

/** The admin API calls of lambdas/shared/identity.ts, and nothing else. */
export const ACCOUNT_ADMIN_ACTIONS = [
  "AdminAddUserToGroup",
  "AdminCreateUser",
  "AdminDeleteUserAttributes",
  "AdminDisableUser",
  "AdminEnableUser",
  "AdminGetUser",
  "AdminRemoveUserFromGroup",
  "AdminSetUserPassword",
  "AdminUpdateUserAttributes",
  "AdminUserGlobalSignOut",
] as const;

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
      // The console signs in with username and password (over TLS) in both targets, the same code
      // against the local identity service; SRP stays for other clients.
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // A disabled person's tokens must stop working within 5 minutes: ID and access tokens live
      // 5 minutes (Cognito's minimum), and disabling revokes the refresh tokens that renew them.
      idTokenValidity: Duration.minutes(5),
      accessTokenValidity: Duration.minutes(5),
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
   * What the people routes and the import do to accounts: create, read, change attributes and
   * groups, disable and enable, set a temporary password, sign out everywhere — on this pool only.
   */
  grantAccountAdministration(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ACCOUNT_ADMIN_ACTIONS.map((a) => `cognito-idp:${a}`),
      resourceArns: [this.userPool.userPoolArn],
    });
  }

  /**
   * The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>` (the URL suffix
   * follows the partition).
   */
  get issuerUrl(): string {
    return `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
  }
}
