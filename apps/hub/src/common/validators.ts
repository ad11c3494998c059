import { ValidationPipe } from '@nestjs/common';
import { parseKey32 } from '@kiki/crypto';
import { ValidateBy, type ValidationError, type ValidationOptions } from 'class-validator';
import { HubError } from './errors';
import { KEY_KINDS, type KeyKind, keyProblem } from './keys';

/** class-validator constraint names of the key decorators: their failures answer INVALID_KEY. */
const KEY_CONSTRAINTS = new Set(['isBase58Key', 'isRegionKey']);

/** What is wrong with a property's key, or with its first bad item when it is an array (`each`). */
function keyMessage(property: string, value: unknown, kind: KeyKind): string {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const message = keyProblem(value[i], `${property}[${i}]`, kind);
      if (message) return message;
    }
  }
  return keyProblem(value, property, kind) ?? `${property} must be ${KEY_KINDS[kind]}`;
}

function keyDecorator(name: string, kind: KeyKind, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      constraints: [kind],
      validator: {
        validate: (value: unknown) => parseKey32(value).ok,
        defaultMessage: (args) => keyMessage(args?.property ?? 'key', args?.value, kind),
      },
    },
    options,
  );
}

/**
 * A 32-byte base58 key or envelope id (`kind` words the message: 'key' for a person's public key,
 * 'id' for an envelope id). With `{ each: true }` on arrays. Refusals answer INVALID_KEY.
 */
export function IsBase58Key(kind: Exclude<KeyKind, 'region'> = 'key', options?: ValidationOptions): PropertyDecorator {
  return keyDecorator('isBase58Key', kind, options);
}

/** A region public key (base58 of 32 bytes). Refusals answer INVALID_KEY; an unknown region is the guard's to answer. */
export function IsRegionKey(options?: ValidationOptions): PropertyDecorator {
  return keyDecorator('isRegionKey', 'region', options);
}

/** The first key failure among class-validator's errors (nested inputs included), as the hub's INVALID_KEY. */
export function keyValidationError(errors: ValidationError[], prefix = ''): HubError | null {
  for (const e of errors) {
    const name = Object.keys(e.constraints ?? {}).find((c) => KEY_CONSTRAINTS.has(c));
    if (name) {
      const at = Array.isArray(e.value) ? e.value.findIndex((v) => !parseKey32(v).ok) : -1;
      return new HubError('INVALID_KEY', e.constraints![name], `${prefix}${e.property}${at >= 0 ? `[${at}]` : ''}`);
    }
    const nested = keyValidationError(e.children ?? [], `${prefix}${e.property}.`);
    if (nested) return nested;
  }
  return null;
}

/**
 * The global ValidationPipe (REST DTOs and GraphQL args alike): a malformed key answers INVALID_KEY
 * with its field, as the services' own key checks do; every other refusal stays a 400 BAD_REQUEST
 * (GraphQL: BAD_USER_INPUT) with class-validator's messages.
 */
export class HubValidationPipe extends ValidationPipe {
  override createExceptionFactory(): (errors?: ValidationError[]) => unknown {
    const fallback = super.createExceptionFactory();
    return (errors = []) => keyValidationError(errors) ?? fallback(errors);
  }
}
