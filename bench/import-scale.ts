import { writeFileSync } from "node:fs";
import { expectStatus, runMain, startBench, stopBench } from "./drive";
import { guanchengRows, PEOPLE_HEADERS, UNIT_HEADERS, workbook } from "./guancheng";
import { log } from "./stats";

/**
 * Phase 6, an organisation brought in whole: the 管城区 tree (726 units) and its 1,845 people from
 * the office's own workbooks, through `POST /imports` and the object store like the console does,
 * timed from the request to `done`; then a spot check over its 577 grids with the pool given by
 * unit (every grid worker) and the draw of 58 of them. Budget (issue 18): both imports within 60 s
 * together on this machine.
 */

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const SAMPLE = 58;

export interface ImportScaleResult {
  readonly units: { rows: number; seconds: number; created: number };
  readonly people: { rows: number; seconds: number; created: number };
  readonly reimport: { seconds: number; unchanged: number };
  readonly plan: { seconds: number; candidates: number; pool: number };
  readonly draw: { seconds: number; assignments: number };
}

async function main() {
  const bench = await startBench("import");
  const admin = await bench.api.as("bench-admin", ["admin"]);
  const organizer = await bench.api.as("bench-organizer", ["organizer"]);
  const rows = guanchengRows();

  const importFile = async (kind: "units" | "people", file: Buffer) => {
    const started = Date.now();
    const asked = await admin.post("/imports", {
      kind,
      fileName: `管城区${kind === "units" ? "单位" : "人员"}.xlsx`,
      contentType: XLSX,
      size: file.length,
    });
    expectStatus(asked, [201], `POST /imports ${kind}`);
    const put = await fetch(asked.body.upload.url, {
      method: "PUT",
      headers: asked.body.upload.headers,
      body: file,
    });
    if (put.status !== 200) throw new Error(`PUT ${kind}: ${put.status}`);
    for (;;) {
      const state = await admin.get(`/imports/${asked.body.importId}`);
      if (state.body.status === "done") return { seconds: (Date.now() - started) / 1000, ...state.body };
      if (state.body.status === "invalid")
        throw new Error(`${kind} import invalid: ${JSON.stringify(state.body.errors.slice(0, 5))}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const unitsFile = await workbook(UNIT_HEADERS, rows.units);
  const peopleFile = await workbook(PEOPLE_HEADERS, rows.people);
  log(`importing ${rows.units.length} units`);
  const units = await importFile("units", unitsFile);
  log(`units: ${units.seconds.toFixed(1)} s; importing ${rows.people.length} people`);
  const people = await importFile("people", peopleFile);
  log(`people: ${people.seconds.toFixed(1)} s; the units again (nothing to change)`);
  const again = await importFile("units", unitsFile);

  const template = await organizer.post("/templates", {
    name: "网格化管理督查细则",
    items: [
      { code: "W1", title: "网格员在岗在位", maxPoints: 40 },
      { code: "W2", title: "台账记录完整", maxPoints: 60 },
    ],
  });
  expectStatus(template, [201], "POST /templates");
  let started = Date.now();
  const planned = await organizer.post("/spot-checks", {
    title: "管城区网格化管理四不两直督查",
    templateId: template.body.templateId,
    parentUnitId: rows.districtId,
    inspectorPoolUnitId: rows.districtId,
    sampleSize: SAMPLE,
    teamSize: 2,
    window: {
      start: new Date(Date.now() - 60_000).toISOString(),
      end: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  });
  expectStatus(planned, [201], "POST /spot-checks");
  const planSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  const drawn = await organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
  expectStatus(drawn, [200], "POST /spot-checks/{id}/draw");
  const drawSeconds = (Date.now() - started) / 1000;
  log(`plan ${planSeconds.toFixed(1)} s, draw of ${SAMPLE} ${drawSeconds.toFixed(1)} s`);

  const result: ImportScaleResult = {
    units: { rows: rows.units.length, seconds: units.seconds, created: units.created },
    people: { rows: rows.people.length, seconds: people.seconds, created: people.created },
    reimport: { seconds: again.seconds, unchanged: again.unchanged },
    plan: {
      seconds: planSeconds,
      candidates: planned.body.candidateUnitIds.length,
      pool: planned.body.inspectorIds.length,
    },
    draw: { seconds: drawSeconds, assignments: drawn.body.assignments.length },
  };
  writeFileSync(process.argv[2] ?? "import-scale.json", JSON.stringify(result, null, 2));
  await stopBench(bench);
}

runMain(main);
