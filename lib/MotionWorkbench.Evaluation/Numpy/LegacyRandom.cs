namespace MotionWorkbench.Evaluation.Numpy;

/// <summary>
/// numpy's legacy global generator (<c>np.random.seed(s)</c>, <c>np.random.shuffle</c>, <c>np.random.permutation</c>),
/// bit for bit: MT19937 seeded with the 32-bit integer initialisation (init_genrand), and the shuffle that walks i
/// from n-1 down to 1 swapping with j drawn by numpy's legacy bounded draw (<c>random_interval</c>): take 32-bit
/// outputs masked to the smallest all-ones mask covering i, rejecting values above i.
/// TMR's "guo" protocol uses exactly <c>np.random.seed(0); np.random.shuffle(np.arange(N))</c>.
/// </summary>
public sealed class LegacyRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;

    public LegacyRandom(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    /// <summary>The next raw 32-bit output (numpy's <c>next_uint32</c>, i.e. genrand_int32).</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>numpy's legacy <c>random_interval(max)</c>: a uniform integer in [0, max] by masked rejection.</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary>In-place <c>np.random.shuffle</c> of a 1-D array.</summary>
    public void Shuffle<T>(T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (int i = values.Length - 1; i >= 1; i--)
        {
            int j = (int)Interval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary><c>np.random.permutation(n)</c>: a shuffled 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p);
        return p;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % N] & 0x7FFFFFFFu);
            uint next = _mt[(i + M) % N] ^ (y >> 1);
            if ((y & 1) != 0) next ^= 0x9908B0DFu;
            _mt[i] = next;
        }
        _index = 0;
    }
}
