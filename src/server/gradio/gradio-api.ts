/**
 * What the Gradio-compatible API announces: the app config (`GET /config`) and the API
 * description (`GET /gradio_api/info`) that `@gradio/client` reads on `Client.connect` and shows
 * in `view_api()`. One endpoint, `/chat`: message and session id in; reply, session id and the
 * plan (JSON) out. The field rules are in ../shared/design/gradio-protocol.md (§2, §3); the ones
 * that break the client when wrong are commented here.
 */

/** Where the API routes sit (Gradio 5 and later): `/config` itself stays at the root. */
export const API_PREFIX = '/gradio_api'

/**
 * The `fn_index` of `/chat`. Not 0: the client reports dependency 0 as a non-generator whatever
 * its `types` say (a falsy-id slip in the client), and `/chat` does stream.
 */
export const CHAT_FN_INDEX = 1

/** Component ids: inputs and outputs are lists of these, and their lengths set how many values travel. */
const COMPONENT = {
  message: 1,
  sessionIdIn: 2,
  reply: 3,
  sessionIdOut: 4,
  plan: 5,
} as const

const textbox = (id: number, label: string) => ({
  id,
  type: 'textbox',
  props: { label, value: '' },
})

/** `GET /config`. */
export const GRADIO_CONFIG = {
  mode: 'blocks',
  title: 'IT helpdesk',
  api_prefix: API_PREFIX,
  // The client speaks sse_v3 as real Gradio 4 to 6 does: the second and later streamed updates
  // of an event are diffs (see gradio-outputs.ts).
  protocol: 'sse_v3',
  enable_queue: true,
  // True would keep a request open that `client.close()` cannot end: the caller's process hangs.
  connect_heartbeat: false,
  // Non-null makes the client fetch a token from huggingface.co.
  space_id: null,
  show_error: true,
  components: [
    textbox(COMPONENT.message, 'Message'),
    textbox(COMPONENT.sessionIdIn, 'Session id'),
    textbox(COMPONENT.reply, 'Reply'),
    textbox(COMPONENT.sessionIdOut, 'Session id'),
    { id: COMPONENT.plan, type: 'json', props: { label: 'Plan', value: [] } },
  ],
  dependencies: [
    {
      id: CHAT_FN_INDEX,
      // Without a leading slash: the client adds it ("/chat").
      api_name: 'chat',
      targets: [[COMPONENT.message, 'submit']],
      inputs: [COMPONENT.message, COMPONENT.sessionIdIn],
      outputs: [COMPONENT.reply, COMPONENT.sessionIdOut, COMPONENT.plan],
      // Queued: the only path on which the client's `submit()` iterator ends.
      queue: true,
      backend_fn: true,
      js: null,
      types: { generator: true, cancel: false },
      connection: 'sse',
      batch: false,
      cancels: [],
      trigger_mode: 'once',
    },
  ],
} as const

const STRING = { type: 'string' } as const

/** `GET /gradio_api/info`: parameters in the order of the dependency's inputs. */
export const GRADIO_INFO = {
  named_endpoints: {
    '/chat': {
      description:
        'One turn with the IT helpdesk: send a message, and the session id of the conversation to continue (empty for a new one).',
      parameters: [
        {
          label: 'Message',
          parameter_name: 'message',
          parameter_has_default: false,
          parameter_default: null,
          type: {
            ...STRING,
            description: 'what the employee asks or answers (up to 4000 characters)',
          },
          python_type: { type: 'str', description: '' },
          component: 'Textbox',
          example_input: 'I forgot my password, my username is jdoe',
        },
        {
          label: 'Session id',
          parameter_name: 'session_id',
          parameter_has_default: true,
          parameter_default: '',
          type: {
            ...STRING,
            description:
              'the conversation to continue (a previous answer gives it); empty starts a new one',
          },
          python_type: { type: 'str', description: '' },
          component: 'Textbox',
          example_input: '',
        },
      ],
      returns: [
        {
          label: 'Reply',
          type: {
            ...STRING,
            description: 'the answer; while streaming, what the turn has done so far',
          },
          python_type: { type: 'str', description: '' },
          component: 'Textbox',
        },
        {
          label: 'Session id',
          type: {
            ...STRING,
            description: 'pass it back as session_id to continue the conversation',
          },
          python_type: { type: 'str', description: '' },
          component: 'Textbox',
        },
        {
          label: 'Plan',
          type: {
            type: 'array',
            items: { type: 'object' },
            description: 'the plans of this turn as JSON: task, parameters and the exact steps',
          },
          python_type: { type: 'list[dict]', description: '' },
          component: 'Json',
        },
      ],
      api_visibility: 'public',
    },
  },
  unnamed_endpoints: {},
} as const
