/**
 * What an LTI 1.3 id_token says, read after its signature is verified, and how
 * it maps onto a live-session room, user and role.
 */
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { LIMITS, type Role } from '../../protocol/index.js';
import { checkDisplayName } from '../frames.js';
import type { LtiPlatform } from './lti-config.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIMS = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  context: `${LTI}context`,
  roles: `${LTI}roles`,
  custom: `${LTI}custom`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  deepLinking: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  deepLinkingContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  deepLinkingData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
} as const;

export const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
export type LtiMessageType = (typeof MESSAGE_TYPES)[number];

export const AGS_SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
/** Roles that lead a session: instructors and their sub-roles, teaching assistants, administrators. */
const TUTOR_ROLES = new Set([
  `${MEMBERSHIP}Instructor`,
  `${MEMBERSHIP}TeachingAssistant`,
  `${MEMBERSHIP}Administrator`,
  'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
  'http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin',
  // Simple names, which the specification allows for context roles.
  'Instructor',
  'TeachingAssistant',
  'Administrator',
]);

/** `tutor` for instructors, teaching assistants and administrators; `student` for everyone else. */
export function roleFromLti(roles: readonly string[]): Role {
  for (const role of roles) {
    if (TUTOR_ROLES.has(role)) return 'tutor';
    // Sub-roles of Instructor, e.g. …/membership/Instructor#TeachingAssistant.
    if (role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#')) return 'tutor';
  }
  return 'student';
}

function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('base64url');
}

/** A room name for one placed activity: stable, opaque, valid everywhere room names are. */
export function roomFor(issuer: string, deploymentId: string, contextId: string, resourceLinkId: string): string {
  return `lti-${digest(issuer, deploymentId, contextId, resourceLinkId).slice(0, 24)}`;
}

/**
 * The user id of an LMS user: a short tag of the issuer and the LMS's own id,
 * readable in attendance; an id that does not fit the user id rules is hashed.
 */
export function userIdFor(issuer: string, sub: string): string {
  // Hex: a tag never starts with a sign a spreadsheet reads as a formula.
  const tag = createHash('sha256').update(issuer).digest('hex').slice(0, 6);
  const candidate = `${tag}:${sub}`;
  return LIMITS.userIdPattern.test(candidate) ? candidate : `${tag}:${digest(issuer, sub).slice(0, 32)}`;
}

/** A display name from the claims; markup characters are dropped, length capped. */
export function displayNameFrom(payload: JWTPayload): string {
  const full = typeof payload['name'] === 'string' ? payload['name'] : '';
  const given = typeof payload['given_name'] === 'string' ? payload['given_name'] : '';
  const family = typeof payload['family_name'] === 'string' ? payload['family_name'] : '';
  const raw = (full.trim() !== '' ? full : `${given} ${family}`).replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();
  const capped = Array.from(raw).slice(0, LIMITS.nameMaxLength).join('').trim();
  return capped !== '' && checkDisplayName(capped).ok ? capped : 'Participant';
}

export interface DeepLinkingSettings {
  returnUrl: string;
  title?: string;
  data?: string;
}

/** A launch, verified and mapped. */
export interface LtiLaunch {
  platform: LtiPlatform;
  messageType: LtiMessageType;
  deploymentId: string;
  /** The LMS's own user id (`sub`). */
  sub: string;
  userId: string;
  name: string;
  role: Role;
  room: string;
  contextTitle?: string;
  resourceTitle?: string;
  /** Where to post scores, when the platform offers it and grants the score scope. */
  lineItem?: string;
  deepLinking?: DeepLinkingSettings;
}

/** A refusal: a code for tests and logs, and words for the person who launched. */
export interface LaunchRefusal {
  code: string;
  message: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a verified payload; every missing or malformed claim is a refusal naming it. */
export function readLaunch(payload: JWTPayload, platform: LtiPlatform): LtiLaunch | LaunchRefusal {
  const messageType = payload[CLAIMS.messageType];
  if (!MESSAGE_TYPES.includes(messageType as LtiMessageType)) {
    return { code: 'message-type', message: `This tool answers resource link and deep linking launches, not ${JSON.stringify(messageType)}.` };
  }
  if (payload[CLAIMS.version] !== '1.3.0') {
    return { code: 'version', message: 'This tool speaks LTI 1.3.0; the launch named another version.' };
  }
  const deploymentId = str(payload[CLAIMS.deploymentId]);
  if (deploymentId === undefined || !platform.deploymentIds.includes(deploymentId)) {
    return {
      code: 'deployment',
      message: `Unknown deployment ${JSON.stringify(deploymentId ?? '')} for ${platform.name ?? platform.issuer}: ask the operator to register it.`,
    };
  }
  const sub = str(payload.sub);
  if (sub === undefined) return { code: 'claims', message: 'The launch names no user (sub); anonymous launches are not supported.' };
  const rolesClaim = payload[CLAIMS.roles];
  const roles = Array.isArray(rolesClaim) ? rolesClaim.filter((r): r is string => typeof r === 'string') : [];
  const context = record(payload[CLAIMS.context]);
  const contextId = str(context?.['id']) ?? '';
  const contextTitle = str(context?.['title']);
  const base = {
    platform,
    messageType: messageType as LtiMessageType,
    deploymentId,
    sub,
    userId: userIdFor(platform.issuer, sub),
    name: displayNameFrom(payload),
    role: roleFromLti(roles),
    ...(contextTitle === undefined ? {} : { contextTitle }),
  };
  if (messageType === 'LtiDeepLinkingRequest') {
    const settings = record(payload[CLAIMS.deepLinking]);
    const returnUrl = str(settings?.['deep_link_return_url']);
    if (returnUrl === undefined || !/^https?:\/\//.test(returnUrl)) {
      return { code: 'claims', message: 'The deep linking request has no return URL.' };
    }
    const acceptTypes = settings?.['accept_types'];
    if (Array.isArray(acceptTypes) && !acceptTypes.includes('ltiResourceLink')) {
      return { code: 'claims', message: 'The LMS does not accept links to tool activities here.' };
    }
    const title = str(settings?.['title']);
    const data = str(settings?.['data']);
    return {
      ...base,
      room: '',
      deepLinking: { returnUrl, ...(title === undefined ? {} : { title }), ...(data === undefined ? {} : { data }) },
    };
  }
  const link = record(payload[CLAIMS.resourceLink]);
  const linkId = str(link?.['id']);
  if (linkId === undefined) return { code: 'claims', message: 'The launch names no resource link.' };
  const resourceTitle = str(link?.['title']);
  const ags = record(payload[CLAIMS.ags]);
  const scopes = Array.isArray(ags?.['scope']) ? (ags['scope'] as unknown[]) : [];
  const lineItem = scopes.includes(AGS_SCORE_SCOPE) ? str(ags?.['lineitem']) : undefined;
  return {
    ...base,
    room: roomFor(platform.issuer, deploymentId, contextId, linkId),
    ...(resourceTitle === undefined ? {} : { resourceTitle }),
    ...(lineItem === undefined || !/^https?:\/\//.test(lineItem) ? {} : { lineItem }),
  };
}
