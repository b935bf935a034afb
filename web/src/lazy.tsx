import type { ComponentType, FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Loading } from "./ui";

/** A page's component, loaded with its own chunk when first shown (or earlier, by `preload`). */
export type LazyPage<P> = FunctionComponent<P> & { preload: () => Promise<ComponentType<P>> };

/**
 * Code-splitting the console by page: the inspector's page on a phone over 3G loads its own code and
 * none of the organizers' (bench/offline-load.ts measures it). The service worker precaches every
 * chunk, so a page opens offline too once the console has been visited.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): LazyPage<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const preload = () => {
    pending ??= load().then(
      (component) => {
        loaded = component;
        return component;
      },
      (error: unknown) => {
        pending = undefined; // a later visit tries again
        throw error;
      },
    );
    return pending;
  };
  function Lazy(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      let live = true;
      preload().then(
        (c) => live && setComponent(() => c),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, []);
    if (Component) return <Component {...props} />;
    if (failed) return <ErrorBox error={new Error("页面加载失败：请检查网络后刷新")} />;
    return <Loading when={true} />;
  }
  return Object.assign(Lazy, { preload });
}
