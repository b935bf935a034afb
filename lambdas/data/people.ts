import { ConflictError } from "../domain/errors";
import { BATCH_CONCURRENCY, type Dynamo, type Item, type Page, type TransactItem } from "./dynamo";
import { batchGetParsed, getParsed, type PageRequest, pageOfPartition, queryPage } from "./items";
import type { AuditInput, Journal } from "./journal";
import { INDEX, keys } from "./keys";
import { type PersonRecord, personRecord } from "./records";

/** A new person for `PeopleStore.createPeople`, with what `createPerson` would write with it. */
export interface NewPerson {
  readonly person: PersonRecord;
  readonly extra: readonly TransactItem[];
  readonly audit: AuditInput;
}

/** DynamoDB's limit of items in one TransactWriteItems. */
const MAX_GROUP_ITEMS = 100;

/** The index keys of a person: all people by username, and the people of their unit (or home unit). */
function personItem(p: PersonRecord): Item {
  const unit = p.unitId ?? p.homeUnitId;
  return {
    ...keys.person(p.personId),
    gsi1pk: keys.allPeople,
    gsi1sk: p.username.toLowerCase(),
    ...(unit ? { gsi2pk: keys.unitPeople(unit), gsi2sk: p.username.toLowerCase() } : {}),
    ...p,
  };
}

/** People (人员) with accounts: their roles, units and whether they may sign in. */
export class PeopleStore {
  constructor(
    private readonly db: Dynamo,
    private readonly journal: Journal,
  ) {}

  async getPerson(id: string): Promise<PersonRecord | undefined> {
    return getParsed(this.db, keys.person(id), personRecord, "person");
  }

  /** The people found among `ids` (unknown ids left out). */
  async getPeople(ids: readonly string[]): Promise<Map<string, PersonRecord>> {
    const found = await batchGetParsed(this.db, ids.map(keys.person), personRecord, "person");
    return new Map(found.map((p) => [p.personId, p]));
  }

  /** The person holding a username, if any (usernames are unique, case-insensitively). */
  async personIdOfUsername(username: string): Promise<string | undefined> {
    const item = await this.db.get(keys.username(username));
    return typeof item?.personId === "string" ? item.personId : undefined;
  }

  /** The people holding these usernames, by lower-case username (usernames nobody holds left out). */
  async peopleByUsername(usernames: readonly string[]): Promise<Map<string, PersonRecord>> {
    const idOf = await this.claims(usernames);
    const people = await this.getPeople([...new Set(idOf.values())]);
    const byUsername = new Map<string, PersonRecord>();
    for (const [username, id] of idOf) {
      const person = people.get(id);
      if (person) byUsername.set(username, person);
    }
    return byUsername;
  }

  /** The usernames among these that someone holds, in lower case (one BatchGet per 100). */
  async takenUsernames(usernames: readonly string[]): Promise<Set<string>> {
    return new Set((await this.claims(usernames)).keys());
  }

  /** The holders of these usernames, by lower-case username. */
  private async claims(usernames: readonly string[]): Promise<Map<string, string>> {
    const claims = await this.db.batchGet(usernames.map((u) => keys.username(u)));
    const idOf = new Map<string, string>();
    for (const claim of claims) {
      if (typeof claim.personId === "string" && typeof claim.pk === "string")
        idOf.set(claim.pk.slice("USERNAME#".length), claim.personId);
    }
    return idOf;
  }

  /**
   * Creates a person, claiming the username, with one membership per role and, for an inspector,
   * the inspector profile the draw uses — all in one transaction with the audit event.
   */
  async createPerson(p: PersonRecord, extra: readonly TransactItem[], audit: AuditInput): Promise<void> {
    await this.journal.commit(
      this.newPersonItems({ person: p, extra, audit }),
      `用户名 ${p.username} 已被使用。`,
    );
  }

  /**
   * Creates many people at once: for each, the same items and conditions as `createPerson` (the
   * username claimed, the person, the role memberships, `extra`, the first audit link), but as many
   * people as fit in one transaction (at most 100 items: 16 people of one role with their
   * profiles), `BATCH_CONCURRENCY` transactions at once; `written` is told of each person as its
   * transaction commits.
   *
   * A transaction is all or nothing: if one username of a group is taken (or one person exists),
   * DynamoDB refuses the whole group. Its people are then written one at a time, each exactly as
   * `createPerson` would, so every person who can be created is, and at the end a `ConflictError`
   * names the usernames that could not (none of them touched). Any other failure stops the groups
   * not yet started and is thrown as it is.
   */
  async createPeople(people: readonly NewPerson[], written: (p: PersonRecord) => void): Promise<void> {
    const groups: NewPerson[][] = [];
    let group: NewPerson[] | undefined;
    let size = 0;
    for (const p of people) {
      const items = this.newPersonItems(p).length;
      if (items > MAX_GROUP_ITEMS) throw new Error(`createPeople: ${p.person.username} needs ${items} items`);
      if (!group || size + items > MAX_GROUP_ITEMS) {
        group = [];
        size = 0;
        groups.push(group);
      }
      group.push(p);
      size += items;
    }
    const notCreated: string[] = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < groups.length) {
        const g = groups[next++] as NewPerson[];
        try {
          await this.createGroup(g, written, notCreated);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, groups.length) }, worker));
    if (notCreated.length > 0) {
      const named = notCreated.slice(0, 10).join("、");
      const more = notCreated.length > 10 ? `等 ${notCreated.length} 个用户名` : "";
      throw new ConflictError(`用户名 ${named}${more} 已被使用，未能创建。其余人员已创建。`);
    }
  }

  /** One group's transaction; refused, its people one at a time (see `createPeople`). */
  private async createGroup(
    group: readonly NewPerson[],
    written: (p: PersonRecord) => void,
    notCreated: string[],
  ): Promise<void> {
    try {
      await this.journal.commit(
        group.flatMap((p) => this.newPersonItems(p)),
        `用户名 ${group.map((p) => p.person.username).join("、")} 中有已被使用的。`,
      );
      for (const p of group) written(p.person);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    for (const p of group) {
      try {
        await this.createPerson(p.person, p.extra, p.audit);
        written(p.person);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        notCreated.push(p.person.username);
      }
    }
  }

  /** What `createPerson` writes for a person, in one transaction. */
  private newPersonItems({ person: p, extra, audit }: NewPerson): TransactItem[] {
    return [
      this.db.put({ ...keys.username(p.username), personId: p.personId }, "attribute_not_exists(pk)"),
      this.db.put(personItem(p), "attribute_not_exists(pk)"),
      ...p.roles.map((role) => this.rolePut(p, role)),
      ...extra,
      this.journal.auditPut(audit),
    ];
  }

  /** Replaces a person with its next state (conditional on the version read), roles and profile with it. */
  async updatePerson(
    before: PersonRecord,
    after: PersonRecord,
    extra: readonly TransactItem[],
    audit: AuditInput,
  ): Promise<void> {
    const removed = before.roles.filter((r) => !after.roles.includes(r));
    await this.journal.commit(
      [
        this.db.put({ ...personItem(after), version: before.version + 1 }, "version = :expected", {
          ":expected": before.version,
        }),
        ...removed.map((role) => ({
          Delete: { TableName: this.db.tableName, Key: keys.personRole(after.personId, role) },
        })),
        ...after.roles.map((role) => this.rolePut(after, role)),
        ...extra,
        this.journal.auditPut(audit),
      ],
      "此人员的信息刚被他人修改，请刷新后重试。",
    );
  }

  private rolePut(p: PersonRecord, role: string): TransactItem {
    return this.db.put({
      ...keys.personRole(p.personId, role),
      gsi1pk: keys.peopleWithRole(role),
      gsi1sk: p.username.toLowerCase(),
      personId: p.personId,
    });
  }

  /** A page of people by username: all, of one role, of one unit (optionally of one role there). */
  async pagePeople(
    filter: { role?: string; unitId?: string },
    page: PageRequest,
  ): Promise<Page<PersonRecord>> {
    if (filter.unitId) {
      return queryPage(
        this.db,
        {
          IndexName: INDEX.byUnit,
          KeyConditionExpression: "gsi2pk = :pk",
          ExpressionAttributeValues: {
            ":pk": keys.unitPeople(filter.unitId),
            ...(filter.role ? { ":role": filter.role } : {}),
          },
          ...(filter.role
            ? { FilterExpression: "contains(#roles, :role)", ExpressionAttributeNames: { "#roles": "roles" } }
            : {}),
        },
        page,
        personRecord,
        "person",
      );
    }
    if (filter.role) {
      const out = await this.db.query(
        {
          IndexName: INDEX.byOwner,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.peopleWithRole(filter.role) },
        },
        page,
      );
      const ids = out.items.map((i) => String(i.personId));
      const people = await this.getPeople(ids);
      return {
        items: ids.map((id) => people.get(id)).filter((p): p is PersonRecord => p !== undefined),
        nextCursor: out.nextCursor,
      };
    }
    return pageOfPartition(this.db, "byOwner", keys.allPeople, page, personRecord, "person");
  }
}
