/** The page layout every server-rendered page shares: language, quick exit, skip link, header, footer. */
import type { ComponentChildren } from 'preact';
import type { Locale } from '../i18n/catalog.ts';

export interface LayoutProps {
  locale: Locale;
  title: string;
  /** Plain-language strings the layout shows, already translated. */
  text: {
    appName: string;
    skipToContent: string;
    switchLanguage: string;
    quickExit: string;
    quickExitHint: string;
    footer: string;
    /** Link text of the page on hiding the visit (survivor pages). */
    hideVisit: string;
  };
  /** The page telling her how to hide the visit, in her language. */
  hideVisitHref: string;
  /** The same page in the other language. */
  otherLanguageHref: string;
  homeHref: string;
  stylesheet: string;
  scripts: string[];
  /** Survivor pages show the quick-exit button. */
  quickExit: boolean;
  children: ComponentChildren;
}

export function Layout(props: LayoutProps) {
  const { text } = props;
  return (
    <html lang={props.locale === 'en' ? 'en' : 'zh-CN'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        {/* No favicon request: one fewer round trip on a slow link, and nothing extra in the browser's cache. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={props.stylesheet} />
        {props.scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body class={props.quickExit ? 'survivor' : undefined}>
        <a class="skip" href="#main">
          {text.skipToContent}
        </a>
        <header class="bar">
          <a class="brand" href={props.homeHref}>
            {text.appName}
          </a>
          <a class="lang" href={props.otherLanguageHref} lang={props.locale === 'en' ? 'zh-CN' : 'en'}>
            {text.switchLanguage}
          </a>
          {props.quickExit && (
            <a id="quick-exit" class="quick-exit" href="/exit" rel="noreferrer" title={text.quickExitHint}>
              {text.quickExit}
            </a>
          )}
        </header>
        <main id="main">{props.children}</main>
        <footer>
          <p>{text.footer}</p>
          {props.quickExit && (
            <a class="hide-visit" href={props.hideVisitHref}>
              {text.hideVisit}
            </a>
          )}
        </footer>
      </body>
    </html>
  );
}
