import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { ConflictError, TransientDependencyError } from "../domain/errors";
import { optionalEnv, requiredEnv } from "./config";
import { traced } from "./tracer";

/**
 * The user pool's admin API (Cognito in the cloud, the local identity service that `npm start`
 * runs, named by `COGNITO_ENDPOINT`): accounts, groups (the roles), `custom:unitId`, disabling and
 * temporary passwords. Created once per process, in its own module so that only the people routes
 * and the import bundle the client.
 */
export const userPoolId = requiredEnv("USER_POOL_ID");

export const identityClient = traced(
  new CognitoIdentityProviderClient({ endpoint: optionalEnv("COGNITO_ENDPOINT"), maxAttempts: 4 }),
);

/** The account attributes the system keeps in the pool (the ID token carries them). */
export interface AccountAttributes {
  readonly name: string;
  readonly phone?: string | undefined;
  /** `custom:unitId`: set for unit staff, absent otherwise. */
  readonly unitId?: string | undefined;
}

async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (
      name === "TooManyRequestsException" ||
      name === "InternalErrorException" ||
      name === "LimitExceededException"
    )
      throw new TransientDependencyError(`The user pool is busy: ${name}`, { cause: error });
    throw error;
  }
}

function attributeList(a: AccountAttributes) {
  return [
    { Name: "name", Value: a.name },
    ...(a.phone ? [{ Name: "phone_number", Value: a.phone }] : []),
    ...(a.unitId ? [{ Name: "custom:unitId", Value: a.unitId }] : []),
  ];
}

/** The `sub` of an existing account, or undefined. */
export async function accountSub(username: string): Promise<string | undefined> {
  try {
    const out = await call(() =>
      identityClient.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })),
    );
    return out.UserAttributes?.find((a) => a.Name === "sub")?.Value;
  } catch (error) {
    if (error instanceof Error && error.name === "UserNotFoundException") return undefined;
    throw error;
  }
}

/**
 * Creates an account with a temporary password (no message is sent: the administrator hands it
 * over), in the groups of its roles. An account left by an earlier attempt that failed after
 * creating it is taken over and given the new temporary password. Returns its `sub`.
 */
export async function createAccount(
  username: string,
  attributes: AccountAttributes,
  roles: readonly string[],
  temporaryPassword: string,
): Promise<string> {
  let sub: string | undefined;
  try {
    const out = await call(() =>
      identityClient.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          TemporaryPassword: temporaryPassword,
          MessageAction: "SUPPRESS",
          UserAttributes: attributeList(attributes),
        }),
      ),
    );
    sub = out.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  } catch (error) {
    if (!(error instanceof Error && error.name === "UsernameExistsException")) throw error;
    sub = await accountSub(username);
    await setTemporaryPassword(username, temporaryPassword);
    await updateAccount(username, attributes);
  }
  if (!sub) throw new Error(`The user pool returned no sub for ${username}`);
  await setGroups(username, [], roles);
  return sub;
}

export async function updateAccount(username: string, attributes: AccountAttributes): Promise<void> {
  await call(() =>
    identityClient.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: attributeList(attributes),
      }),
    ),
  );
  const absent = [
    ...(attributes.phone ? [] : ["phone_number"]),
    ...(attributes.unitId ? [] : ["custom:unitId"]),
  ];
  if (absent.length > 0) {
    await call(() =>
      identityClient.send(
        new AdminDeleteUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributeNames: absent,
        }),
      ),
    );
  }
}

/** Moves an account from the groups of `before` to those of `after` (the roles). */
export async function setGroups(username: string, before: readonly string[], after: readonly string[]) {
  for (const group of after.filter((g) => !before.includes(g))) {
    await call(() =>
      identityClient.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
      ),
    );
  }
  for (const group of before.filter((g) => !after.includes(g))) {
    await call(() =>
      identityClient.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
      ),
    );
  }
}

/**
 * Disables an account and signs it out everywhere: no new sign-in, no renewal of its tokens; its
 * last ID token expires within the pool's 5-minute token lifetime.
 */
export async function disableAccount(username: string): Promise<void> {
  await call(() =>
    identityClient.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username })),
  );
  await call(() =>
    identityClient.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username })),
  );
}

export async function enableAccount(username: string): Promise<void> {
  await call(() =>
    identityClient.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username })),
  );
}

/** A new temporary password, to be changed at the next sign-in; existing sessions end. */
export async function setTemporaryPassword(username: string, password: string): Promise<void> {
  await call(() =>
    identityClient.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: password,
        Permanent: false,
      }),
    ),
  );
  await call(() =>
    identityClient.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username })),
  );
}

/** The conflict a taken username is, in the words of the people routes. */
export function usernameTaken(username: string): ConflictError {
  return new ConflictError(`用户名 ${username} 已被使用。`);
}
