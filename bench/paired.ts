/** The middle value (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export interface Side {
  name: string
  /** One run; answers its rate (things per second). */
  run: () => Promise<number>
}

/**
 * Paired rounds: each round runs both sides back to back, alternating which goes first, so drift in the
 * machine's load hits both alike. Answers the median rate of each side and the median of the per-round
 * ratios a/b (a ratio of medians would pair a fast round of one side with a slow round of the other).
 */
export async function paired(
  label: string,
  rounds: number,
  a: Side,
  b: Side,
  unit = '/s',
): Promise<{ a: number; b: number; ratio: number }> {
  const as: number[] = []
  const bs: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < rounds; i++) {
    let x: number
    let y: number
    if (i % 2 === 0) {
      x = await a.run()
      y = await b.run()
    } else {
      y = await b.run()
      x = await a.run()
    }
    console.log(
      `  ${label} round ${i + 1}: ${a.name} ${x.toFixed(0)} ${unit}, ${b.name} ${y.toFixed(0)} ${unit}, ratio ${(x / y).toFixed(3)}`,
    )
    as.push(x)
    bs.push(y)
    ratios.push(x / y)
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) }
}
