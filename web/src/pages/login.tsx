import { useState } from "preact/hooks";
import { PASSWORD_RULE, passwordProblems, type SignInStep } from "../auth";
import { app, ErrorBox } from "../ui";

type NewPasswordStep = Extract<SignInStep, { kind: "newPassword" }>;

/**
 * 登录: username and password; at the first sign-in (and after a reset) the temporary password must
 * be replaced by one that meets the policy. On this machine a token of `npm run token` may be pasted
 * instead (scripts and tests).
 */
export function LoginPage({ notice }: { notice?: string | undefined }) {
  const auth = app.auth!;
  const [step, setStep] = useState<NewPasswordStep | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow login" data-page="login">
      <h1>{step ? "设置新密码" : "登录"}</h1>
      {notice && !step ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      {!auth.passwordSignIn ? (
        <div class="error">config.json 缺少登录服务设置，暂时无法用用户名和密码登录。</div>
      ) : step ? (
        <NewPasswordForm
          step={step}
          busy={busy}
          onSubmit={(password) =>
            run(async () => {
              try {
                await auth.setNewPassword(step, password);
              } catch (e) {
                // The challenge lasts 3 minutes and is used once: start again with the temporary password.
                if (e instanceof Error && /时限已过/.test(e.message)) setStep(undefined);
                throw e;
              }
            })
          }
          onCancel={() => {
            setStep(undefined);
            setError(undefined);
          }}
        />
      ) : (
        <PasswordForm
          busy={busy}
          onSubmit={(username, password) =>
            run(async () => {
              const next = await auth.signIn(username, password);
              if (next.kind === "newPassword") setStep(next);
            })
          }
        />
      )}
      <ErrorBox error={error} />
      {app.config.mode === "local" && !step ? <TokenSignIn /> : null}
    </section>
  );
}

function PasswordForm({
  busy,
  onSubmit,
}: {
  busy: boolean;
  onSubmit: (username: string, password: string) => void;
}) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(username.trim(), password);
      }}
    >
      <p class="muted small">账号由管理员开通。首次登录请使用管理员提供的临时密码，登录后须设置新密码。</p>
      <label>
        用户名
        <input
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        密码
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      <button type="submit" class="primary big" disabled={busy}>
        {busy ? "正在登录…" : "登录"}
      </button>
    </form>
  );
}

function NewPasswordForm({
  step,
  busy,
  onSubmit,
  onCancel,
}: {
  step: NewPasswordStep;
  busy: boolean;
  onSubmit: (password: string) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problem, setProblem] = useState("");
  const missing = passwordProblems(password);
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        if (missing.length > 0) return setProblem(PASSWORD_RULE);
        if (password !== confirm) return setProblem("两次输入的新密码不一致");
        setProblem("");
        onSubmit(password);
      }}
    >
      <p>
        <span data-verbatim>{step.username}</span>，您正在使用临时密码登录。请设置新密码后继续（至少 12
        位，含大写字母、小写字母、数字和符号）。
      </p>
      {/* Lets password managers file the new password under this username. */}
      <input type="text" name="username" autocomplete="username" value={step.username} hidden readOnly />
      <label>
        新密码
        <input
          name="newPassword"
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      <p class="small password-rule" aria-live="polite">
        {password === "" ? (
          <span class="muted">要求：至少 12 位，含大写字母、小写字母、数字和符号</span>
        ) : missing.length > 0 ? (
          <span class="red-text">还缺：{missing.join("、")}</span>
        ) : (
          <span class="green-text">符合要求</span>
        )}
      </p>
      <label>
        再次输入新密码
        <input
          name="confirmPassword"
          type="password"
          autocomplete="new-password"
          value={confirm}
          onInput={(e) => setConfirm(e.currentTarget.value)}
          required
        />
      </label>
      {problem ? (
        <div class="error" role="alert">
          {problem}
        </div>
      ) : null}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "正在保存…" : "设置新密码并登录"}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          返回
        </button>
      </div>
    </form>
  );
}

/** 本机模式: a token of `npm run token`, for scripts and tests. */
function TokenSignIn() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>();
  return (
    <details class="token-signin">
      <summary>使用脚本令牌登录（本机）</summary>
      <p class="small muted">在终端运行下面的命令，把最后一行的令牌粘贴到这里：</p>
      <pre class="cmd">npm run token -- --sub 张建国 --groups inspector</pre>
      <p class="muted small">
        角色（--groups）：organizer 督查组织、inspector 督查员、unit 被检查单位（加 --unit
        单位编号）、official 领导、admin 管理员。
      </p>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          try {
            app.auth!.useToken(token);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <label>
          令牌（JWT）
          <textarea
            name="token"
            rows={5}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            placeholder="eyJhbGciOiJSUzI1NiIs…"
            required
          />
        </label>
        <button type="submit">用令牌登录</button>
      </form>
      <ErrorBox error={error} />
    </details>
  );
}
