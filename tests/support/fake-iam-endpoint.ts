import { createHash, createHmac, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback stand-in for the IAM API, speaking the protocol @aws-sdk/client-iam 3.x really uses:
 * awsQuery (`AwsQueryProtocol` in the client's runtime config). Requests are
 * `POST /` with `application/x-www-form-urlencoded` bodies `Action=GetUser&Version=2010-05-08&UserName=jdoe`;
 * answers are XML `<GetUserResponse><GetUserResult>...</GetUserResult><ResponseMetadata>...`, lists
 * as `<member>` elements, errors as `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.
 * It keeps users, login profiles, keys, groups and MFA devices in memory, checks SigV4 signatures
 * when given the secret keys, and records every request for assertions.
 */

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/'
const ACCOUNT = '123456789012'
const CREATED = '2024-03-01T09:30:00Z'
const ACTIONS = new Set([
  'GetUser',
  'GetLoginProfile',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'ListAccessKeys',
  'UpdateAccessKey',
  'ListGroupsForUser',
  'AddUserToGroup',
  'RemoveUserFromGroup',
  'ListMFADevices',
])

export interface FakeIamUser {
  userName: string
  userId: string
  loginProfile?: { passwordResetRequired: boolean; password?: string }
  accessKeys: Array<{ accessKeyId: string; status: 'Active' | 'Inactive' }>
  groups: Set<string>
  mfaDevices: string[]
}

export interface RecordedIamRequest {
  action: string
  /** Every form parameter but Action, Version included. */
  params: Record<string, string>
  authorization: string
  amzDate: string
  host: string
  contentType: string
  /** From the Authorization header's credential scope. */
  scope: { accessKeyId: string; date: string; region: string; service: string } | undefined
}

interface Fault {
  action: string
  status: number
  code: string
  times: number
}

class IamFault extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

const notFound = (message: string) => new IamFault(404, 'NoSuchEntity', message)
const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`)
/** `<Name>value</Name>` for each defined value, in order. */
const fields = (values: Record<string, string | boolean | undefined>) =>
  Object.entries(values)
    .map(([name, value]) =>
      value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`,
    )
    .join('')
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest()

export class FakeIamEndpoint {
  readonly users = new Map<string, FakeIamUser>()
  readonly groups = new Set<string>()
  readonly requests: RecordedIamRequest[] = []
  /** Items per page of the List* actions, so that pagination is exercised. */
  pageSize = 100
  private readonly faults: Fault[] = []
  private readonly server: Server
  private readonly secrets: Readonly<Record<string, string>> | undefined
  url = ''

  private constructor(secrets: Readonly<Record<string, string>> | undefined) {
    this.secrets = secrets
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const { status, body } = this.answer(request, Buffer.concat(chunks).toString('utf8'))
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() })
        response.end(body)
      })
    })
  }

  /** @param secrets access key id -> secret access key; given, every signature is checked. */
  static async start(secrets?: Readonly<Record<string, string>>): Promise<FakeIamEndpoint> {
    const endpoint = new FakeIamEndpoint(secrets)
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve))
    endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}`
    return endpoint
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  /** Forgets every user, group, request and pending fault. */
  reset(): void {
    this.users.clear()
    this.groups.clear()
    this.requests.length = 0
    this.faults.length = 0
    this.pageSize = 100
  }

  addUser(userName: string, facts: Partial<Omit<FakeIamUser, 'userName'>> = {}): FakeIamUser {
    const user: FakeIamUser = {
      userName,
      userId: `AIDA${sha256(userName).slice(0, 16).toUpperCase()}`,
      accessKeys: [],
      groups: new Set(),
      mfaDevices: [],
      ...facts,
    }
    for (const group of user.groups) this.groups.add(group)
    this.users.set(userName, user)
    return user
  }

  /** The next `times` requests for `action` ('*' for any) get this error instead of an answer. */
  failNext(action: string, status: number, code: string, times = 1): void {
    this.faults.push({ action, status, code, times })
  }

  requestsFor(action: string): RecordedIamRequest[] {
    return this.requests.filter((request) => request.action === action)
  }

  private answer(request: IncomingMessage, body: string): { status: number; body: string } {
    const params = Object.fromEntries(new URLSearchParams(body))
    const { Action: action = '', ...rest } = params
    const authorization = String(request.headers.authorization ?? '')
    const scopeMatch = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      authorization,
    )
    this.requests.push({
      action,
      params: rest,
      authorization,
      amzDate: String(request.headers['x-amz-date'] ?? ''),
      host: String(request.headers.host ?? ''),
      contentType: String(request.headers['content-type'] ?? ''),
      scope: scopeMatch
        ? {
            accessKeyId: scopeMatch[1] ?? '',
            date: scopeMatch[2] ?? '',
            region: scopeMatch[3] ?? '',
            service: scopeMatch[4] ?? '',
          }
        : undefined,
    })
    try {
      if (request.method !== 'POST' || params.Version !== '2010-05-08')
        throw new IamFault(400, 'InvalidAction', 'expected POST with Version=2010-05-08')
      this.checkSignature(request, body, authorization)
      const fault = this.faults.find((each) => each.action === action || each.action === '*')
      if (fault) {
        fault.times -= 1
        if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1)
        throw new IamFault(fault.status, fault.code, `injected ${fault.code}`)
      }
      const result = this.perform(action, params)
      const wrapped = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`
      return {
        status: 200,
        body: `<${action}Response xmlns="${NAMESPACE}">${wrapped}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      }
    } catch (error) {
      if (!(error instanceof IamFault)) throw error
      const type = error.status >= 500 ? 'Receiver' : 'Sender'
      return {
        status: error.status,
        body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      }
    }
  }

  /** SigV4 as AWS computes it: canonical request, string to sign, derived key. */
  private checkSignature(request: IncomingMessage, body: string, authorization: string): void {
    if (!this.secrets) return
    const parts =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        authorization,
      )
    if (!parts) throw new IamFault(400, 'IncompleteSignature', 'Authorization header is not SigV4')
    const [, keyId = '', date = '', region = '', service = '', signedHeaders = '', signature] =
      parts
    const secret = this.secrets[keyId]
    if (secret === undefined)
      throw new IamFault(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      )
    const headers = signedHeaders.split(';')
    const canonicalHeaders = headers
      .map(
        (name) =>
          `${name}:${String(request.headers[name] ?? '')
            .trim()
            .replace(/\s+/g, ' ')}\n`,
      )
      .join('')
    // The body's own hash, not the client's claim about it: a changed body fails the check.
    const payloadHash = sha256(body)
    const canonicalRequest = [
      request.method,
      request.url,
      '',
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].join('\n')
    const scope = `${date}/${region}/${service}/aws4_request`
    const amzDate = String(request.headers['x-amz-date'] ?? '')
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
    if (hmac(key, stringToSign).toString('hex') !== signature)
      throw new IamFault(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      )
  }

  private user(params: Record<string, string>): FakeIamUser {
    const user = this.users.get(params.UserName ?? '')
    if (!user) throw notFound(`The user with name ${params.UserName} cannot be found.`)
    return user
  }

  private page<Item>(
    listName: string,
    items: Item[],
    params: Record<string, string>,
    render: (item: Item) => string,
  ): string {
    const start = Number(params.Marker ?? 0)
    const size = Math.min(Number(params.MaxItems ?? this.pageSize), this.pageSize)
    const members = items
      .slice(start, start + size)
      .map((item) => `<member>${render(item)}</member>`)
      .join('')
    const truncated = start + size < items.length
    return `<${listName}>${members}</${listName}>${fields({ IsTruncated: truncated, Marker: truncated ? String(start + size) : undefined })}`
  }

  private perform(action: string, params: Record<string, string>): string | undefined {
    if (!ACTIONS.has(action))
      throw new IamFault(
        400,
        'InvalidAction',
        `Could not find operation ${action} for version 2010-05-08`,
      )
    // Every action here is about one user, so an unknown user is answered first, as IAM does.
    const user = this.user(params)
    const profileMissing = `Login Profile for User ${user.userName} cannot be found.`
    const profile = () =>
      `<LoginProfile>${fields({ UserName: user.userName, CreateDate: CREATED, PasswordResetRequired: user.loginProfile?.passwordResetRequired })}</LoginProfile>`
    switch (action) {
      case 'GetUser':
        return `<User>${fields({ Path: '/', UserName: user.userName, UserId: user.userId, Arn: `arn:aws:iam::${ACCOUNT}:user/${user.userName}`, CreateDate: CREATED })}</User>`
      case 'GetLoginProfile':
        if (!user.loginProfile) throw notFound(profileMissing)
        return profile()
      case 'CreateLoginProfile':
      case 'UpdateLoginProfile': {
        if (action === 'CreateLoginProfile' && user.loginProfile)
          throw new IamFault(
            409,
            'EntityAlreadyExists',
            `Login Profile for user ${user.userName} already exists.`,
          )
        if (action === 'UpdateLoginProfile' && !user.loginProfile) throw notFound(profileMissing)
        const password = params.Password ?? user.loginProfile?.password
        if (password !== undefined && password.length < 8)
          throw new IamFault(
            400,
            'PasswordPolicyViolation',
            'Password should have at least 8 characters',
          )
        user.loginProfile = {
          passwordResetRequired: params.PasswordResetRequired === 'true',
          ...(password === undefined ? {} : { password }),
        }
        return action === 'UpdateLoginProfile' ? undefined : profile()
      }
      case 'ListAccessKeys':
        return this.page('AccessKeyMetadata', user.accessKeys, params, (key) =>
          fields({
            UserName: user.userName,
            AccessKeyId: key.accessKeyId,
            Status: key.status,
            CreateDate: CREATED,
          }),
        )
      case 'UpdateAccessKey': {
        const key = user.accessKeys.find((each) => each.accessKeyId === params.AccessKeyId)
        if (!key) throw notFound(`The Access Key with id ${params.AccessKeyId} cannot be found.`)
        key.status = params.Status === 'Active' ? 'Active' : 'Inactive'
        return undefined
      }
      case 'ListGroupsForUser':
        return this.page('Groups', [...user.groups], params, (group) =>
          fields({
            Path: '/',
            GroupName: group,
            GroupId: `AGPA${sha256(group).slice(0, 16).toUpperCase()}`,
            Arn: `arn:aws:iam::${ACCOUNT}:group/${group}`,
            CreateDate: CREATED,
          }),
        )
      case 'AddUserToGroup':
      case 'RemoveUserFromGroup': {
        const group = params.GroupName ?? ''
        if (!this.groups.has(group)) throw notFound(`The group with name ${group} cannot be found.`)
        // Adding a member again succeeds in IAM. Removing a non-member is answered with an error
        // here (an assumption); the executor reads the memberships first and never asks for it.
        if (action === 'AddUserToGroup') user.groups.add(group)
        else if (!user.groups.delete(group))
          throw notFound(`User ${user.userName} is not in group ${group}.`)
        return undefined
      }
      case 'ListMFADevices':
        return this.page('MFADevices', user.mfaDevices, params, (serial) =>
          fields({ UserName: user.userName, SerialNumber: serial, EnableDate: CREATED }),
        )
      default:
        throw new Error(`ACTIONS lists ${action} but perform() does not handle it`)
    }
  }
}
