/**
 * Who is speaking: an audio level per participant, sampled a few times a
 * second. Remote levels come from WebRTC itself (the receiver's
 * synchronization sources carry the sender's audio level, no audio graph
 * needed); the local microphone's from an AnalyserNode on one shared
 * AudioContext. A participant is speaking while its level stays above a
 * threshold, and for a short hold after, so the highlight does not flicker
 * between words. Where no level can be read, nobody is marked speaking.
 */
import { leaseAudioContext, type AudioContextLease } from './audio-context.js';
import { Scheduler, type Cancel } from './scheduler.js';

export interface SpeakingOptions {
  /** RMS level (0–1) above which a sample counts as speech. Default 0.02 (about −34 dBFS). */
  threshold?: number;
  /** How long speaking lasts after the last loud sample, in ms. Default 1500: natural pauses keep the highlight steady. */
  holdMs?: number;
  /** Sampling period in ms. Default 150. */
  intervalMs?: number;
  /** Where the sampling timer runs (a session passes its own, so teardown cancels it). */
  scheduler?: Scheduler;
}

interface Watched {
  /** The current level, 0–1 (linear amplitude), or undefined when unknown. */
  level: () => number | undefined;
  release: () => void;
  lastLoudAt: number;
  speaking: boolean;
}

/** The loudest audio level WebRTC reports for what `receiver` receives. */
export function receiverLevel(receiver: RTCRtpReceiver): number | undefined {
  let loudest: number | undefined;
  for (const source of receiver.getSynchronizationSources()) {
    if (source.audioLevel !== undefined) loudest = Math.max(loudest ?? 0, source.audioLevel);
  }
  return loudest;
}

export class SpeakingDetector {
  readonly #onChange: (id: string, speaking: boolean) => void;
  readonly #threshold: number;
  readonly #holdMs: number;
  readonly #intervalMs: number;
  #context: AudioContextLease | null = null;
  #watched = new Map<string, Watched>();
  readonly #scheduler: Scheduler;
  #stopSampling: Cancel | null = null;

  constructor(onChange: (id: string, speaking: boolean) => void, options: SpeakingOptions = {}) {
    this.#onChange = onChange;
    this.#threshold = options.threshold ?? 0.02;
    this.#holdMs = options.holdMs ?? 1500;
    this.#intervalMs = options.intervalMs ?? 150;
    this.#scheduler = options.scheduler ?? new Scheduler();
  }

  isSpeaking(id: string): boolean {
    return this.#watched.get(id)?.speaking ?? false;
  }

  /** The level of `id` now (RMS of the samples, 0–1), or undefined when it cannot be read. */
  level(id: string): number | undefined {
    try {
      return this.#watched.get(id)?.level();
    } catch {
      return undefined;
    }
  }

  /** Follows the level of a local `stream` (an AnalyserNode) under `id`. */
  watch(id: string, stream: MediaStream): void {
    this.unwatch(id);
    if (stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') return;
    try {
      this.#context ??= leaseAudioContext();
      const context = this.#context.context;
      if (context.state === 'suspended') void context.resume().catch(() => undefined);
      const source = context.createMediaStreamSource(stream);
      const analyser = context.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      this.#add(id, {
        level: () => {
          if (context.state !== 'running') return undefined;
          analyser.getFloatTimeDomainData(samples);
          let sum = 0;
          for (const value of samples) sum += value * value;
          return Math.sqrt(sum / samples.length);
        },
        release: () => source.disconnect(),
      });
    } catch {
      // No level for this stream; it is simply never highlighted.
    }
  }

  /** Follows a level read by `level()` (e.g. {@link receiverLevel}) under `id`. */
  watchLevel(id: string, level: () => number | undefined): void {
    this.unwatch(id);
    this.#add(id, { level, release: () => undefined });
  }

  #add(id: string, watched: Omit<Watched, 'lastLoudAt' | 'speaking'>): void {
    this.#watched.set(id, { ...watched, lastLoudAt: 0, speaking: false });
    this.#stopSampling ??= this.#scheduler.every(this.#intervalMs, () => this.#sample());
  }

  unwatch(id: string): void {
    const watched = this.#watched.get(id);
    if (!watched) return;
    watched.release();
    this.#watched.delete(id);
    if (watched.speaking) this.#onChange(id, false);
    if (this.#watched.size === 0) {
      this.#stopSampling?.();
      this.#stopSampling = null;
    }
  }

  dispose(): void {
    for (const id of [...this.#watched.keys()]) this.unwatch(id);
    this.#context?.release();
    this.#context = null;
  }

  #sample(): void {
    const now = performance.now();
    for (const [id, watched] of this.#watched) {
      let level: number | undefined;
      try {
        level = watched.level();
      } catch {
        level = undefined;
      }
      if (level !== undefined && level > this.#threshold) watched.lastLoudAt = now;
      const speaking = now - watched.lastLoudAt < this.#holdMs;
      if (speaking !== watched.speaking) {
        watched.speaking = speaking;
        this.#onChange(id, speaking);
      }
    }
  }
}
