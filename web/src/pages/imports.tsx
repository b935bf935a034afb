import { useEffect, useState } from "preact/hooks";
import { ApiError, type ImportJob, type ImportKind, type ImportStatus } from "../api";
import { fmtSize, putUpload } from "../evidence";
import { IMPORT_KIND, IMPORT_STATUS, label } from "../labels";
import { app, Empty, ErrorBox, fmtTime, isAdmin, navigate, Section, saveBlob, useAction } from "../ui";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAX_BYTES = 10 * 1024 * 1024;

/** The type the API signs into the upload, from the file's name (browsers often leave `type` empty for CSV). */
function contentTypeOf(file: File): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  return ext === "xlsx" ? XLSX : ext === "csv" ? "text/csv" : undefined;
}

/**
 * 批量导入: units (admins) or people (admins; organizers inspectors only) from an office's
 * spreadsheet. The file is uploaded, every row is checked first — any error and nothing is written,
 * with every error listed by row and column — then written, with progress. Accounts created get
 * temporary passwords in a workbook the importer downloads once.
 */
export function ImportsPage({ id }: { id?: string | undefined }) {
  const kinds: ImportKind[] = isAdmin() ? ["units", "people"] : ["people"];
  const [kind, setKind] = useState<ImportKind>(kinds[0]!);
  const [file, setFile] = useState<File | undefined>();
  const [progress, setProgress] = useState<number | undefined>();
  const [inputKey, setInputKey] = useState(0);

  const template = useAction(async () => {
    const { blob, fileName } = await app.api.blob("importTemplate", { params: { kind } });
    saveBlob(blob, fileName ?? `${IMPORT_KIND[kind]}导入模板.xlsx`);
  });

  const start = useAction(async () => {
    if (!file) throw new Error("请先选择文件");
    const contentType = contentTypeOf(file);
    if (!contentType)
      throw new Error(
        /\.xls$/i.test(file.name)
          ? "不接受旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"
          : "只接受 .xlsx 工作簿或 .csv 文件",
      );
    if (file.size > MAX_BYTES) throw new Error("文件最大 10 MiB");
    if (file.size === 0) throw new Error("文件是空的");
    setProgress(0);
    try {
      const created = await app.api.call("createImport", {
        body: { kind, fileName: file.name, contentType, size: file.size },
      });
      await putUpload(created.upload, file, setProgress);
      setFile(undefined);
      setInputKey((k) => k + 1);
      navigate(`#/imports/${encodeURIComponent(created.importId)}`);
    } finally {
      setProgress(undefined);
    }
  });

  return (
    <div class="page" data-page="imports">
      <h1>批量导入</h1>
      <Section title="上传表格">
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void start.go();
          }}
        >
          <div class="row">
            <label>
              导入内容
              <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as ImportKind)}>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {IMPORT_KIND[k]}
                  </option>
                ))}
              </select>
            </label>
            <div class="template-download">
              <button type="button" onClick={() => void template.go()} disabled={template.busy}>
                {template.busy ? "正在下载…" : `下载${IMPORT_KIND[kind]}导入模板（.xlsx）`}
              </button>
            </div>
          </div>
          <p class="small muted">
            {kind === "units"
              ? "列：单位编码、单位名称、类型（区/街道/社区/村/网格/场所）、上级单位编码（顶级留空）、纬度、经度、半径。上级单位可在同一文件中，顺序不限。"
              : isAdmin()
                ? "列：姓名、手机号、用户名、角色（管理员/督查组织/督查员/被检查单位/领导，多个用“、”分隔）、所属单位编码（被检查单位人员的单位，督查员的所属单位）。"
                : "列：姓名、手机号、用户名、角色（只能是“督查员”）、所属单位编码（督查员的所属单位，抽签时回避）。"}{" "}
            第 1 行为表头，从第 2 行起每行一条；按{kind === "units" ? "单位编码" : "用户名"}
            识别，重复导入同一文件不会产生重复数据。
          </p>
          <div class="row import-file">
            <label class="button file-button">
              选择表格文件
              <input
                key={inputKey}
                class="visually-hidden"
                type="file"
                name="file"
                accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                onChange={(e) => setFile(e.currentTarget.files?.[0])}
              />
            </label>
            <span class={file ? "" : "muted small"}>
              {file ? `${file.name}（${fmtSize(file.size)}）` : ".xlsx 或 .csv，最大 10 MiB"}
            </span>
          </div>
          {progress !== undefined ? (
            <div class="import-upload">
              <span class="small">上传中 {progress}%</span>
              <progress max={100} value={progress} />
            </div>
          ) : null}
          <div class="row">
            <button type="submit" class="primary" disabled={start.busy || !file}>
              {start.busy ? "正在上传…" : "上传并导入"}
            </button>
          </div>
          <ErrorBox error={start.error} />
          <ErrorBox error={template.error} />
        </form>
      </Section>
      {id ? <ImportProgress key={id} id={id} /> : null}
    </div>
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finished = (s: ImportStatus) => s === "invalid" || s === "done";

/** Follows `GET /imports/{id}` until the import is invalid or done. */
function ImportProgress({ id }: { id: string }) {
  const [job, setJob] = useState<ImportJob | undefined>();
  const [error, setError] = useState<unknown>();
  const [stalled, setStalled] = useState(false);
  useEffect(() => {
    let live = true;
    void (async () => {
      const started = Date.now();
      for (let n = 0; live; n++) {
        try {
          const j = await app.api.call("getImport", { params: { importId: id } });
          if (!live) return;
          setJob(j);
          setError(undefined);
          if (finished(j.status)) return;
          setStalled(j.status === "pending" && Date.now() - started > 60_000);
        } catch (e) {
          if (!live) return;
          setError(e);
          // A refusal stands; a network failure or a server error is retried.
          if (e instanceof ApiError && e.status < 500) return;
        }
        await sleep(n < 10 ? 700 : 2000);
      }
    })();
    return () => {
      live = false;
    };
  }, [id]);

  if (!job) {
    return (
      <Section title="导入进度">
        <ErrorBox error={error} />
        {error ? null : <p class="muted">正在读取导入状态…</p>}
      </Section>
    );
  }
  const total = job.total ?? 0;
  const done = job.done ?? 0;
  const errors = job.errors ?? [];
  return (
    <section class="card import-job" data-import={job.importId} data-status={job.status}>
      <div class="card-head">
        <h2>
          导入{job.kind ? IMPORT_KIND[job.kind] : ""}
          {job.fileName ? (
            <>
              ：<span data-verbatim>{job.fileName}</span>
            </>
          ) : null}
        </h2>
        <span class={`badge import-${job.status}`}>{label(IMPORT_STATUS, job.status, "其他状态")}</span>
      </div>
      {job.status === "pending" ? (
        <p class="muted">
          {stalled ? "尚未收到文件：上传可能未完成，请重新上传。" : "文件已上传，等待处理…"}
        </p>
      ) : null}
      {job.status === "validating" || job.status === "importing" ? (
        <div class="import-progress">
          <span>
            {job.status === "validating" ? "正在逐行校验" : "正在写入"}：{done} / {total} 行
          </span>
          <progress max={total || 1} value={total ? done : undefined} />
        </div>
      ) : null}
      {job.status === "done" ? (
        <div class="ok" data-import-result>
          导入完成：共 {total} 行，新增 {job.created ?? 0}，更新 {job.updated ?? 0}，未变 {job.unchanged ?? 0}
          。
        </div>
      ) : null}
      {job.status === "done" && job.credentialsUrl ? (
        <div class="secret" data-credentials>
          <p>
            <a class="button primary" href={job.credentialsUrl} download rel="noreferrer">
              下载账号与临时密码
            </a>
          </p>
          <p class="warn">
            表中是新开通账号的用户名和临时密码，只在本页提供，链接几分钟内有效
            {job.credentialsExpiresAt ? `，${fmtTime(job.credentialsExpiresAt)} 后不再提供` : ""}
            。请妥善保管，当面或通过安全渠道分发给本人，分发后删除文件；本人首次登录时须设置新密码。
          </p>
        </div>
      ) : null}
      {job.status === "invalid" ? (
        <>
          <div class="error" role="alert">
            校验未通过：共 {errors.length} 处问题，未写入任何数据。请按下表修改文件后重新上传。
          </div>
          {errors.length === 0 ? (
            <Empty text="（服务器未列出具体问题）" />
          ) : (
            <div class="table-wrap">
              <table class="import-errors">
                <thead>
                  <tr>
                    <th class="num">行</th>
                    <th>列</th>
                    <th>问题</th>
                  </tr>
                </thead>
                <tbody>
                  {errors.map((e, i) => (
                    <tr key={`${e.row}-${e.column ?? ""}-${i}`} data-row={e.row}>
                      <td class="num">{e.row > 0 ? e.row : "—"}</td>
                      <td>{e.column || "—"}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
      <ErrorBox error={error} />
    </section>
  );
}
