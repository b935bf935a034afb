import { inspectorStore, peopleStore } from "./context";

/**
 * The names of people by id (`sub`), for pages that must show names, not ids: a person's name, else
 * an inspector profile's; ids with neither (script tokens, the workflow) are left out.
 */
export async function namesOf(ids: readonly string[]): Promise<Record<string, string>> {
  const unique = [...new Set(ids)].filter((id) => id !== "");
  if (unique.length === 0) return {};
  const [people, inspectors] = await Promise.all([
    peopleStore.getPeople(unique),
    inspectorStore.getInspectors(unique),
  ]);
  const names: Record<string, string> = {};
  for (const id of unique) {
    const name = people.get(id)?.name ?? inspectors.get(id)?.name;
    if (name) names[id] = name;
  }
  return names;
}

/**
 * Who acted, by id (`sub`), for the audit trail: a person's name and roles, else an inspector
 * profile's name (role inspector); ids with neither (script tokens, the workflow) are left out.
 */
export async function actorsOf(
  ids: readonly string[],
): Promise<Record<string, { name: string; roles: string[] }>> {
  const unique = [...new Set(ids)].filter((id) => id !== "");
  if (unique.length === 0) return {};
  const [people, inspectors] = await Promise.all([
    peopleStore.getPeople(unique),
    inspectorStore.getInspectors(unique),
  ]);
  const actors: Record<string, { name: string; roles: string[] }> = {};
  for (const id of unique) {
    const person = people.get(id);
    const inspector = inspectors.get(id);
    if (person) actors[id] = { name: person.name, roles: [...person.roles] };
    else if (inspector) actors[id] = { name: inspector.name, roles: ["inspector"] };
  }
  return actors;
}
