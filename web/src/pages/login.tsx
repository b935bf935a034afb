import { useState } from "preact/hooks";
import { type Session, saveToken, startCognitoSignIn } from "../auth";
import { app, ErrorBox } from "../ui";

export function LoginPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>();

  if (app.config.mode === "cognito") {
    return (
      <section class="card narrow">
        <h1>登录</h1>
        <p>
          使用单位统一账号登录（Cognito）。账号由管理员创建并分配角色：督查组织、督查员、被检查单位、领导。
        </p>
        <button
          type="button"
          class="primary"
          onClick={() => startCognitoSignIn(app.config).catch((e: unknown) => setError(e))}
        >
          登录
        </button>
        <ErrorBox error={error} />
      </section>
    );
  }

  return (
    <section class="card narrow">
      <h1>登录（本机模式）</h1>
      <p>本机运行时由本地服务器签发令牌。在终端运行下面的命令，把最后一行的令牌粘贴到这里：</p>
      <pre class="cmd">npm run token -- --sub 张建国 --groups inspector</pre>
      <p class="muted small">
        角色（--groups）：organizer 督查组织、inspector 督查员、unit 被检查单位（加 --unit
        单位编号）、official 领导、admin 管理员。
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          try {
            onSignedIn(saveToken(token));
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
            placeholder="eyJhbGciOiJFUzI1NiIs…"
            required
          />
        </label>
        <button type="submit" class="primary">
          登录
        </button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
