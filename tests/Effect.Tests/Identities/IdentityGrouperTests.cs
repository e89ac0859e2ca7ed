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
}
