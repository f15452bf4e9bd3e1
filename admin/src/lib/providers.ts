// The OAuth2 providers the server knows, with their brand logos from
// simple-icons (CC0; imported one by one so only these end up in the
// bundle). Providers without a logo there get a neutral glyph.
import {
  siApple, siBitbucket, siBox, siDiscord, siFacebook, siGitea, siGitee, siGithub, siGitlab, siGoogle, siInstagram, siKakaotalk,
  siLinear, siLivechat, siNotion, siOpenid, siPatreon, siSpotify, siStrava, siTrakt, siTwitch, siX, siVk, siWakatime,
} from 'simple-icons';

/** ProviderInfo describes one provider for the grid. */
export interface ProviderInfo {
  name: string;
  label: string;
  /** path is the 24×24 SVG path of its logo ('' = neutral glyph). */
  path: string;
  /** urls: the provider needs its auth/token/user-info endpoints (self-hosted or OIDC). */
  urls?: boolean;
}

/** FALLBACK_PATH is the neutral glyph (a key) of providers without a logo. */
export const FALLBACK_PATH = 'M7 14a3 3 0 1 1 0-6 3 3 0 0 1 0 6Zm0-8a5 5 0 1 0 4.58 7H14v2h2v-2h2v2h2v-4h-8.42A5 5 0 0 0 7 6Z';

export const PROVIDERS: ProviderInfo[] = [
  { name: 'apple', label: 'Apple', path: siApple.path },
  { name: 'bitbucket', label: 'Bitbucket', path: siBitbucket.path },
  { name: 'box', label: 'Box', path: siBox.path },
  { name: 'discord', label: 'Discord', path: siDiscord.path },
  { name: 'facebook', label: 'Facebook', path: siFacebook.path },
  { name: 'gitea', label: 'Gitea', path: siGitea.path, urls: true },
  { name: 'gitee', label: 'Gitee', path: siGitee.path },
  { name: 'github', label: 'GitHub', path: siGithub.path },
  { name: 'gitlab', label: 'GitLab', path: siGitlab.path, urls: true },
  { name: 'google', label: 'Google', path: siGoogle.path },
  { name: 'instagram', label: 'Instagram', path: siInstagram.path },
  { name: 'kakao', label: 'Kakao', path: siKakaotalk.path },
  { name: 'lark', label: 'Lark', path: '' },
  { name: 'linear', label: 'Linear', path: siLinear.path },
  { name: 'livechat', label: 'LiveChat', path: siLivechat.path },
  { name: 'mailcow', label: 'mailcow', path: '', urls: true },
  { name: 'microsoft', label: 'Microsoft', path: '' },
  { name: 'monday', label: 'monday.com', path: '' },
  { name: 'notion', label: 'Notion', path: siNotion.path },
  { name: 'oidc', label: 'OpenID Connect', path: siOpenid.path, urls: true },
  { name: 'oidc2', label: 'OpenID Connect 2', path: siOpenid.path, urls: true },
  { name: 'oidc3', label: 'OpenID Connect 3', path: siOpenid.path, urls: true },
  { name: 'patreon', label: 'Patreon', path: siPatreon.path },
  { name: 'planningcenter', label: 'Planning Center', path: '' },
  { name: 'spotify', label: 'Spotify', path: siSpotify.path },
  { name: 'strava', label: 'Strava', path: siStrava.path },
  { name: 'trakt', label: 'Trakt', path: siTrakt.path },
  { name: 'twitch', label: 'Twitch', path: siTwitch.path },
  { name: 'twitter', label: 'X / Twitter', path: siX.path },
  { name: 'vk', label: 'VK', path: siVk.path },
  { name: 'wakatime', label: 'WakaTime', path: siWakatime.path },
  { name: 'yandex', label: 'Yandex', path: '' },
];

/** searchProviders filters by name or label, case-insensitively. */
export function searchProviders(q: string, list: ProviderInfo[] = PROVIDERS): ProviderInfo[] {
  const s = q.trim().toLowerCase();
  if (!s) return list;
  return list.filter((p) => p.name.includes(s) || p.label.toLowerCase().includes(s));
}
