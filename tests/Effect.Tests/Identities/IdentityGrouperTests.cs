using Deid.Effect.Identities;

namespace Deid.Effect.Tests.Identities;

public sealed class IdentityGrouperTests
{
    private static float[] Around(float[] centre, Random random, float spread) =>
        centre.Select(v => v + (random.NextSingle() - 0.5f) * spread).ToArray();

    private static float[] RandomPoint(Random random) => Enumerable.Range(0, 128).Select(_ => random.NextSingle() * 0.3f).ToArray();

    [Fact]
    public void Hundreds_of_tracks_of_a_few_people_group_into_those_people_quickly()
    {
        var random = new Random(11);
        var people = Enumerable.Range(0, 20).Select(_ => RandomPoint(random)).ToList();
        var tracks = new List<IdentityGrouper.TrackSummary>();
        var truth = new Dictionary<int, int>();
        for (var t = 0; t < 600; t++)
        {
            var person = t % people.Count;
            // Each track a short appearance of its own, so none overlap in time.
            var embeddings = Enumerable.Range(0, 4).Select(_ => Around(people[person], random, 0.04f)).ToArray();
            tracks.Add(new IdentityGrouper.TrackSummary(t, 10 * t, 10 * t + 5, embeddings, [], 1));
            truth[t] = person;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var identities = new IdentityGrouper(new IdentityOptions()).Group(tracks);
        clock.Stop();

        Assert.Equal(20, identities.Count);
        Assert.All(identities, identity => Assert.Single(identity.TrackIds.Select(t => truth[t]).Distinct()));
        // Not a timing assertion on a noisy machine: a bound far above the expected fraction of a second catches a
        // return of the cubic-in-embeddings cost only.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"grouping took {clock.Elapsed}");
    }

    [Fact]
    public void Two_tracks_on_screen_together_are_never_one_person_however_alike()
    {
        var random = new Random(5);
        var face = RandomPoint(random);
        var tracks = new List<IdentityGrouper.TrackSummary>
        {
            new(0, 0, 100, [Around(face, random, 0.01f)], [], 1),
            new(1, 50, 150, [Around(face, random, 0.01f)], [], 1),
            new(2, 200, 300, [Around(face, random, 0.01f)], [], 1),
        };
        var identities = new IdentityGrouper(new IdentityOptions()).Group(tracks);
        Assert.Equal(2, identities.Count);
        Assert.DoesNotContain(identities, i => i.TrackIds.Contains(0) && i.TrackIds.Contains(1));
    }

    [Fact]
    public void Tracks_without_embeddings_belong_to_no_identity()
    {
        var identities = new IdentityGrouper(new IdentityOptions()).Group([new(0, 0, 10, [], [], 0)]);
        Assert.Empty(identities);
    }
    private static FaceSample SampleNamed(int track, int rank) =>
        new([(byte)track, (byte)rank], new OpenCvSharp.Rect2f(0, 0, 10, 10), [], 1);

    private static IdentityGrouper.TrackSummary TrackWithSamples(int id, int first, int last, int samples) =>
        new(id, first, last, [], [], 1) { Samples = Enumerable.Range(0, samples).Select(rank => SampleNamed(id, rank)).ToList() };

    [Fact]
    public void A_persons_samples_come_from_their_tracks_in_proportion_to_the_tracks_lengths()
    {
        // One long track of a person and a short one of them at the edge of the picture (as on the Hamilton clip):
        // planned on the short track's face, the long track's faces get a new face fitted to another view of them.
        var longTrack = TrackWithSamples(1, 0, 120, samples: 4);
        var shortTrack = TrackWithSamples(2, 130, 149, samples: 4);

        var samples = IdentityGrouper.SamplesOf([shortTrack, longTrack], 4);

        Assert.Equal([(1, 0), (1, 1), (1, 2), (1, 3)], samples.Select(s => ((int)s.Png[0], (int)s.Png[1])));

        // Two tracks of about the same length share the samples, each its best faces first; a track that runs out
        // leaves its share to the others.
        var even = IdentityGrouper.SamplesOf([TrackWithSamples(1, 0, 59, 4), TrackWithSamples(2, 100, 149, 4)], 4);
        Assert.Equal([(1, 0), (2, 0), (1, 1), (2, 1)], even.Select(s => ((int)s.Png[0], (int)s.Png[1])));
        var shortOfSamples = IdentityGrouper.SamplesOf([TrackWithSamples(1, 0, 9, 3), TrackWithSamples(2, 20, 200, 1)], 4);
        Assert.Equal([(2, 0), (1, 0), (1, 1), (1, 2)], shortOfSamples.Select(s => ((int)s.Png[0], (int)s.Png[1])));
    }
}
