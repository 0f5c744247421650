/** The process's quota store (the runtime's), for the control plane's usage read-out. */
export const QUOTA_STORE = Symbol('CONTROL_QUOTA_STORE');
